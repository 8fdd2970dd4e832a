using CreditEdge.Cli;

namespace CreditEdge.Cli.Tests;

/// <summary>Runs <c>cedge</c> in-process through <see cref="CedgeApp.Run"/>, the entry Program.cs uses.</summary>
public static class Cedge
{
    public static CedgeResult Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CedgeApp.Run(args, output, error);
        return new CedgeResult(code, output.ToString(), error.ToString());
    }
}

/// <summary>Exit code and what a <c>cedge</c> run wrote.</summary>
public sealed record CedgeResult(int ExitCode, string Output, string Error)
{
    public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The stderr lines a failure wrote (progress lines start with "·", failures with "cedge:").</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Where(l => l.StartsWith("cedge:", StringComparison.Ordinal)).ToArray();
}
