using System.CommandLine;

namespace CreditEdge.Cli.Commands;

/// <summary><c>cedge keys …</c>: package-signing keys.</summary>
public static class KeysCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("keys", "Manage package-signing keys (ECDSA P-256).");
        command.Subcommands.Add(KeysGenerateCommand.Create(output, error));
        return command;
    }
}
