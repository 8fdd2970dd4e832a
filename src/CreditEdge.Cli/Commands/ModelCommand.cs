using System.CommandLine;

namespace CreditEdge.Cli.Commands;

/// <summary><c>cedge model …</c>: build (and later evaluate, sign, verify) model packages.</summary>
public static class ModelCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("model", "Build and check model packages.");
        command.Subcommands.Add(ModelBuildCommand.Create(output, error));
        command.Subcommands.Add(ModelEvaluateCommand.Create(output, error));
        command.Subcommands.Add(ModelAdaptCommand.Create(output, error));
        command.Subcommands.Add(ModelRelabelCommand.Create(output, error));
        command.Subcommands.Add(ModelSignCommand.Create(output, error));
        command.Subcommands.Add(ModelVerifyCommand.Create(output, error));
        return command;
    }
}
