using System.Globalization;

namespace CreditEdge.Benchmarks;

/// <summary>
/// Command line: <c>[all|micro|http] [--rates=500,1000] [--duration=15] [--warmup=3] [--connections=16] [--closed-duration=10]</c>
/// (durations in seconds).
/// </summary>
public sealed record BenchmarkArgs
{
    public const string Usage =
        "usage: [all|micro|http] [--rates=500[,1000…]] [--duration=15] [--warmup=3] [--connections=16] [--closed-duration=10]";

    public bool RunMicro { get; init; } = true;

    public bool RunHttp { get; init; } = true;

    /// <summary>Open-loop request rates (requests per second), one run each. Default 500.</summary>
    public IReadOnlyList<int> Rates { get; init; } = [500];

    /// <summary>Measured part of each open-loop run. Default 15 s.</summary>
    public TimeSpan OpenLoopDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Unmeasured load at the same rate before each open-loop run. Default 3 s.</summary>
    public TimeSpan WarmupDuration { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Concurrent connections of the closed-loop run. Default 16.</summary>
    public int ClosedLoopConnections { get; init; } = 16;

    /// <summary>Length of the closed-loop run. Default 10 s.</summary>
    public TimeSpan ClosedLoopDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public static BenchmarkArgs Parse(IReadOnlyList<string> args)
    {
        var result = new BenchmarkArgs();
        foreach (var arg in args)
        {
            var (name, value) = arg.Split('=', 2) is [var n, var v] ? (n, v) : (arg, "");
            result = name switch
            {
                "all" => result with { RunMicro = true, RunHttp = true },
                "micro" => result with { RunMicro = true, RunHttp = false },
                "http" => result with { RunMicro = false, RunHttp = true },
                "--rates" => result with { Rates = value.Split(',').Select(r => Positive(name, r)).ToArray() },
                "--duration" => result with { OpenLoopDuration = TimeSpan.FromSeconds(Positive(name, value)) },
                "--warmup" => result with { WarmupDuration = TimeSpan.FromSeconds(Positive(name, value)) },
                "--connections" => result with { ClosedLoopConnections = Positive(name, value) },
                "--closed-duration" => result with { ClosedLoopDuration = TimeSpan.FromSeconds(Positive(name, value)) },
                _ => throw new ArgumentException($"unknown argument '{arg}'"),
            };
        }

        return result;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive whole number, not '{value}'");
}
