using System.CommandLine;

namespace CreditEdge.Cli.Commands;

/// <summary>
/// <c>cedge fleet rollback --broker URL (--group G | --device ID) --to VERSION --key FILE --package DIR</c>: a new desired
/// model, with a higher sequence, pointing back at an older package. <c>--package</c> is that version's signed directory
/// (its chunks are published again: they may have been cleared from the broker); its version must be <c>--to</c>. A
/// rollback switches without a shadow trial or probation: the older package has run before.
/// </summary>
public static class FleetRollbackCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var push = new RolloutPush();
        var to = new Option<string>("--to") { Description = "Version to go back to.", Required = true };
        var package = new Option<DirectoryInfo>("--package") { Description = "The signed package directory of that version.", Required = true };
        package.AcceptExistingOnly();
        var command = new Command("rollback", "Point a group or device back at an older package (no shadow, no probation).") { to, package };
        push.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => push.RunAsync(parseResult, parseResult.GetRequiredValue(package), parseResult.GetRequiredValue(to),
            shadow: null, probation: null, output, error, cancellationToken));
        return command;
    }
}
