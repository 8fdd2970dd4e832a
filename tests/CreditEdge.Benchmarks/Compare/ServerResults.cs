using CreditEdge.Benchmarks.Http;

namespace CreditEdge.Benchmarks.Compare;

/// <summary>What one server in one durability mode did under load.</summary>
public sealed record ServerResults(ServerKind Kind, bool Durable)
{
    public List<WrkRun> Closed { get; } = [];

    public List<LoadResult> FixedRates { get; } = [];

    /// <summary>Decisions stored when memory and storage were read.</summary>
    public long Decisions { get; set; }

    public long RssAfterBytes { get; set; }

    /// <summary>RssAnon + RssShmem at the same moment: the private part of <see cref="RssAfterBytes"/>.</summary>
    public long PrivateRssAfterBytes { get; set; }

    /// <summary>Bytes of the stored decisions (the agent's decisions.db + decisions-log.db + the journal's two files after a clean stop; the peer's JSONL file).</summary>
    public long StoredBytes { get; set; }

    public string StorageDetail { get; set; } = "";

    public IEnumerable<WrkRun> ClosedAt(int connections) => Closed.Where(r => r.Connections == connections);
}
