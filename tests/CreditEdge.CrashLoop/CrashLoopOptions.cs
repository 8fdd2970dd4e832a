namespace CreditEdge.CrashLoop;

/// <summary>What one crash-loop run does.</summary>
public sealed record CrashLoopOptions
{
    /// <summary>How many times the agent is killed with SIGKILL mid-scoring and restarted.</summary>
    public int Kills { get; init; } = 50;

    /// <summary>Seed of the kill instants; the same seed gives the same schedule.</summary>
    public int Seed { get; init; } = Random.Shared.Next();

    /// <summary>Concurrent HTTP clients posting golden applicants.</summary>
    public int Clients { get; init; } = 6;

    /// <summary>Shortest and longest time the agent scores after <c>/readyz</c> before it is killed.</summary>
    public TimeSpan MinKillDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxKillDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait for an agent to be ready, for the outbox to drain, for ingest to write the decisions.</summary>
    public TimeSpan Patience { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>When set, the run's data directory, ingest's file, the broker's packet log and every process's output are kept here.</summary>
    public string? KeepDirectory { get; init; }

    /// <summary>Parses <c>--kills N --seed S --clients C --keep DIR</c>.</summary>
    public static CrashLoopOptions Parse(IReadOnlyList<string> args)
    {
        var options = new CrashLoopOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--kills" => options with { Kills = PositiveInt("--kills", Value()) },
                "--seed" => options with { Seed = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture) },
                "--clients" => options with { Clients = PositiveInt("--clients", Value()) },
                "--keep" => options with { KeepDirectory = Path.GetFullPath(Value()) },
                _ => throw new ArgumentException($"unknown option {args[i]}; known: --kills N, --seed S, --clients C, --keep DIR"),
            };
        }

        return options;
    }

    private static int PositiveInt(string name, string text) =>
        int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive integer, not '{text}'");
}
