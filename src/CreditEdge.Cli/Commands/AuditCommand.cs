using System.CommandLine;

namespace CreditEdge.Cli.Commands;

/// <summary><c>cedge audit …</c>: checks on a device's decision store.</summary>
public static class AuditCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("audit", "Check a device's decision store.");
        command.Subcommands.Add(AuditVerifyCommand.Create(output, error));
        command.Subcommands.Add(AuditReplayCommand.Create(output, error));
        return command;
    }
}
