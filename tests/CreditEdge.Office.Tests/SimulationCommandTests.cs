using System.CommandLine;
using CreditEdge.Office.Simulation;

namespace CreditEdge.Office.Tests;

/// <summary><c>creditedge-office-sim simulate</c>: a wrong option is refused with a reason naming it.</summary>
public sealed class SimulationCommandTests
{
    [Theory]
    [InlineData("--devices 0", "--devices must be 1…9999, not 0")]
    [InlineData("--devices 10000", "--devices must be 1…9999, not 10000")]
    [InlineData("--rate -5", "--rate must be above 0")]
    [InlineData("--duration 00:00:00", "--duration must be positive")]
    [InlineData("--broker http://127.0.0.1:1883", "--broker must be mqtt://host:port, not 'http://127.0.0.1:1883'")]
    public void Parse_BadOption_ErrorNamesIt(string arguments, string expected)
    {
        var root = new RootCommand();
        root.Subcommands.Add(SimulateCommand.Create(TextWriter.Null, TextWriter.Null));
        var args = new List<string> { "simulate" };
        if (!arguments.StartsWith("--broker", StringComparison.Ordinal))
        {
            args.AddRange(["--broker", "mqtt://127.0.0.1:1883"]);
        }

        args.AddRange(arguments.Split(' '));
        var result = root.Parse(args);
        Assert.Contains(result.Errors, e => e.Message.StartsWith(expected, StringComparison.Ordinal));
    }
}
