using System.Globalization;

namespace CreditEdge.Benchmarks.Compare;

/// <summary>
/// Command line of <c>compare</c> (run by benchmarks/compare.sh, which builds and installs what it needs first):
/// <c>compare [--quick] [--profile] [--rounds=3] [--agent=DLL|EXECUTABLE] [--hello=DLL] [--peer=DIR] [--out=DIR]</c>.
/// </summary>
public sealed record CompareArgs
{
    public const string Usage =
        "usage: compare [--quick] [--profile] [--rounds=N] [--agent=creditedge-agent.dll|artefact/creditedge-agent] [--hello=hello.dll] [--peer=tests/node-peer] [--out=benchmarks/results]";

    /// <summary>One round, short runs: proves the harness works; the numbers mean little.</summary>
    public bool Quick { get; init; }

    /// <summary>Also record strace -c and dotnet-counters of the agent under 16-connection load.</summary>
    public bool Profile { get; init; }

    public int Rounds { get; init; } = 3;

    public string AgentDll { get; init; } = Path.Combine(Repo.Root, "src", "CreditEdge.Agent", "bin", "Release", "net10.0", "creditedge-agent.dll");

    public string HelloDll { get; init; } = Path.Combine(Repo.Root, "benchmarks", "hello", "bin", "Release", "net10.0", "hello.dll");

    public string PeerDirectory { get; init; } = Path.Combine(Repo.Root, "tests", "node-peer");

    public string OutputDirectory { get; init; } = Path.Combine(Repo.Root, "benchmarks", "results");

    /// <summary>Unmeasured load (wrk, 16 connections) every server gets after its start, before any measurement.</summary>
    public TimeSpan Warmup => Quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(5);

    /// <summary>Length of each closed-loop (wrk) run.</summary>
    public TimeSpan ClosedDuration => Quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(4);

    /// <summary>Length of each measured fixed-rate run (after <see cref="RateWarmup"/> at the same rate).</summary>
    public TimeSpan RateDuration => Quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(6);

    public TimeSpan RateWarmup { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Decisions each durable server has made before its memory and storage are measured.</summary>
    public int DecisionsForMemory => Quick ? 10_000 : 100_000;

    /// <summary>Starts per server for start-to-ready and idle memory.</summary>
    public int StartRounds => Quick ? 1 : Math.Max(Rounds, 5);

    public int EffectiveRounds => Quick ? 1 : Rounds;

    public string ReportFile => Path.Combine(OutputDirectory, Quick ? "comparison-quick.md" : "comparison.md");

    public string ChartFile => Path.Combine(OutputDirectory, Quick ? "comparison-quick.png" : "comparison.png");

    public string ProfileDirectory => Path.Combine(OutputDirectory, "profiles");

    public static CompareArgs Parse(IReadOnlyList<string> args)
    {
        var result = new CompareArgs();
        foreach (var arg in args.Skip(1))
        {
            var (name, value) = arg.Split('=', 2) is [var n, var v] ? (n, v) : (arg, "");
            result = name switch
            {
                "--quick" => result with { Quick = true },
                "--profile" => result with { Profile = true },
                "--rounds" => result with { Rounds = AtLeast(name, value, 1) },
                "--agent" => result with { AgentDll = ExistingFile(name, value) },
                "--hello" => result with { HelloDll = ExistingFile(name, value) },
                "--peer" => result with { PeerDirectory = Path.GetFullPath(value) },
                "--out" => result with { OutputDirectory = Path.GetFullPath(value) },
                _ => throw new ArgumentException($"unknown argument '{arg}'"),
            };
        }

        foreach (var (what, file) in new[] { ("the agent", result.AgentDll), ("the hello world's Release build", result.HelloDll) })
        {
            if (!File.Exists(file))
            {
                throw new ArgumentException($"{what} is missing: {file} (benchmarks/compare.sh builds it)");
            }
        }

        if (!Directory.Exists(Path.Combine(result.PeerDirectory, "node_modules")))
        {
            throw new ArgumentException($"the Node peer's packages are not installed: run npm ci in {result.PeerDirectory} (benchmarks/compare.sh does)");
        }

        return result;
    }

    private static int AtLeast(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new ArgumentException($"{name} must be a whole number ≥ {min}, not '{value}'");

    private static string ExistingFile(string name, string value) =>
        File.Exists(value) ? Path.GetFullPath(value) : throw new ArgumentException($"{name}: no such file '{value}'");
}
