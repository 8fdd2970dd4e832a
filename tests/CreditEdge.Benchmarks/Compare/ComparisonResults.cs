using CreditEdge.Benchmarks.Http;
using CreditEdge.Benchmarks.Micro;
using CreditEdge.Benchmarks.Report;

namespace CreditEdge.Benchmarks.Compare;

/// <summary>Everything one <c>compare</c> run measured, for the report and the chart.</summary>
public sealed record ComparisonResults
{
    public required CompareArgs Options { get; init; }

    public required MachineInfo Machine { get; init; }

    public required string CpuFlags { get; init; }

    public required string NodeVersion { get; init; }

    public string LoadAtEnd { get; set; } = "";

    public TimeSpan Elapsed { get; set; }

    public int ParityApplicants { get; set; }

    public IReadOnlyDictionary<string, MicroResult>? Micro { get; set; }

    public string? MicroFailure { get; set; }

    public List<StartSample> Starts { get; } = [];

    public List<ServerResults> Servers { get; } = [];

    public List<string> ProfileNotes { get; } = [];

    public ServerResults? Find(ServerKind kind, bool durable) => Servers.FirstOrDefault(s => s.Kind == kind && s.Durable == durable);
}

public enum ServerKind
{
    Agent,
    Peer,
    Hello,
}

/// <summary>One cold start: process start to the first 200 on /readyz, and VmRSS a moment after.</summary>
public sealed record StartSample(ServerKind Kind, TimeSpan StartToReady, long IdleRssBytes);

/// <summary>What one server in one durability mode did under load.</summary>
public sealed record ServerResults(ServerKind Kind, bool Durable)
{
    public List<WrkRun> Closed { get; } = [];

    public List<LoadResult> FixedRates { get; } = [];

    /// <summary>Decisions stored when memory and storage were read.</summary>
    public long Decisions { get; set; }

    public long RssAfterBytes { get; set; }

    /// <summary>Bytes of the stored decisions (the agent's decisions.db + decisions-log.db after a clean stop; the peer's JSONL file).</summary>
    public long StoredBytes { get; set; }

    public string StorageDetail { get; set; } = "";

    public IEnumerable<WrkRun> ClosedAt(int connections) => Closed.Where(r => r.Connections == connections);
}
