using System.CommandLine;
using CreditEdge.Cli.Commands;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.Core.Schema;
using CreditEdge.Modeling;
using CreditEdge.Modeling.Data;
using CreditEdge.Storage;
using Microsoft.ML.OnnxRuntime;

namespace CreditEdge.Cli;

/// <summary>
/// The <c>cedge</c> command tree. Exit code 0 on success; otherwise 1 (the command failed) or 2 (the command line is
/// wrong), with a one-line reason on stderr: <c>cedge: &lt;message&gt;</c>.
/// </summary>
public static class CedgeApp
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    public static RootCommand CreateRootCommand(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("CreditEdge toolchain: build, sign and ship credit-scoring model packages to edge devices.");
        root.Subcommands.Add(ModelCommand.Create(output, error));
        root.Subcommands.Add(KeysCommand.Create(output, error));
        root.Subcommands.Add(ScoreCommand.Create(output, error));
        root.Subcommands.Add(AuditCommand.Create(output, error));
        root.Subcommands.Add(FleetCommand.Create(output, error));
        root.Subcommands.Add(TerminalCommand.Create(output, error));
        return root;
    }

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var parseResult = CreateRootCommand(output, error).Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            error.WriteLine($"cedge: {OneLine(parseResult.Errors[0].Message)} (see 'cedge --help')");
            return UsageError;
        }

        try
        {
            return parseResult.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex) when (IsExpected(ex))
        {
            error.WriteLine($"cedge: {OneLine(ex.Message)}");
            return Failure;
        }
    }

    /// <summary>Failures a user can act on; anything else is a bug and keeps its stack trace.</summary>
    private static bool IsExpected(Exception ex) => ex is DatasetSchemaException or DataFileException or ModelBuildException
        or ModelPackageException or InvalidSchemaException or OnnxRuntimeException or IOException or UnauthorizedAccessException
        or OperationCanceledException or SigningKeyException or StorageException
        or Messaging.FleetConnectException or Messaging.FleetPublishException or MQTTnet.Exceptions.MqttCommunicationException
        or Core.Packages.Rollout.DesiredModelException or Core.Security.UnlockOrderException
        or Core.Terminals.TerminalRegistryException;

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
