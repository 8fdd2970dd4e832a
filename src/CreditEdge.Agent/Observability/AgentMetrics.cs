using System.Globalization;
using System.Text;
using CreditEdge.Agent.Terminals;
using CreditEdge.Core.Policy;

namespace CreditEdge.Agent.Observability;

/// <summary>Counters and the scoring latency histogram, rendered in Prometheus text format for <c>/metrics</c>.</summary>
public sealed class AgentMetrics
{
    /// <summary>Upper bounds (seconds) of the latency histogram's buckets.</summary>
    private static readonly double[] LatencyBounds = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    private readonly long[] _outcomes = new long[3];
    private readonly long[] _bucketCounts = new long[LatencyBounds.Length + 1];
    private long _latencyTicks;
    private long _latencyCount;
    private long _invalid;
    private long _replays;
    private long _unavailable;
    private long _terminalKeyMissing;
    private long _terminalKeyUnknown;
    private long _terminalKeyRevoked;
    private long _terminalRateLimited;
    private int _terminalRegistryOk = 1;

    public void Decided(Outcome outcome, TimeSpan latency)
    {
        Interlocked.Increment(ref _outcomes[(int)outcome]);
        var seconds = latency.TotalSeconds;
        var bucket = 0;
        while (bucket < LatencyBounds.Length && seconds > LatencyBounds[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _bucketCounts[bucket]);
        Interlocked.Add(ref _latencyTicks, latency.Ticks);
        Interlocked.Increment(ref _latencyCount);
    }

    public void Invalid() => Interlocked.Increment(ref _invalid);

    public void Replayed() => Interlocked.Increment(ref _replays);

    public void Unavailable() => Interlocked.Increment(ref _unavailable);

    /// <summary>A <c>/v1/*</c> request refused by the terminal gate (401), by why.</summary>
    public void TerminalRefused(TerminalCheck check)
    {
        switch (check)
        {
            case TerminalCheck.Missing:
                Interlocked.Increment(ref _terminalKeyMissing);
                break;
            case TerminalCheck.Revoked:
                Interlocked.Increment(ref _terminalKeyRevoked);
                break;
            default:
                Interlocked.Increment(ref _terminalKeyUnknown);
                break;
        }
    }

    /// <summary>A <c>/v1/*</c> request refused by the per-terminal rate limit (429).</summary>
    public void TerminalRateLimited() => Interlocked.Increment(ref _terminalRateLimited);

    /// <summary>Whether the last read of <c>terminals.json</c> succeeded (the gauge <c>creditedge_terminal_registry_ok</c>).</summary>
    public void TerminalRegistryRead(bool ok) => Volatile.Write(ref _terminalRegistryOk, ok ? 1 : 0);

    public long DecisionCount(Outcome outcome) => Interlocked.Read(ref _outcomes[(int)outcome]);

    /// <summary>Cumulative latency buckets (upper bound in seconds → count), as Prometheus reports them.</summary>
    public IReadOnlyDictionary<string, long> LatencyBuckets()
    {
        var result = new Dictionary<string, long>(LatencyBounds.Length + 1);
        long cumulative = 0;
        for (var i = 0; i < LatencyBounds.Length; i++)
        {
            cumulative += Interlocked.Read(ref _bucketCounts[i]);
            result[LatencyBounds[i].ToString(CultureInfo.InvariantCulture)] = cumulative;
        }

        result["+Inf"] = cumulative + Interlocked.Read(ref _bucketCounts[^1]);
        return result;
    }

    public string Render(string? modelId, string? modelVersion, string? variant, bool storeWritable, long outboxDepth, long retentionDeleted = 0)
    {
        var text = new StringBuilder(2048);
        var c = CultureInfo.InvariantCulture;
        text.AppendLine("# HELP creditedge_decisions_total Decisions made, by outcome.");
        text.AppendLine("# TYPE creditedge_decisions_total counter");
        foreach (var outcome in Enum.GetValues<Outcome>())
        {
            text.Append(c, $"creditedge_decisions_total{{outcome=\"{outcome.ToString().ToLowerInvariant()}\"}} {DecisionCount(outcome)}\n");
        }

        text.AppendLine("# HELP creditedge_requests_rejected_total Score requests refused, by reason.");
        text.AppendLine("# TYPE creditedge_requests_rejected_total counter");
        text.Append(c, $"creditedge_requests_rejected_total{{reason=\"invalid\"}} {Interlocked.Read(ref _invalid)}\n");
        text.Append(c, $"creditedge_requests_rejected_total{{reason=\"unavailable\"}} {Interlocked.Read(ref _unavailable)}\n");
        text.AppendLine("# HELP creditedge_idempotent_replays_total Requests answered with a stored decision for a repeated idempotency key.");
        text.AppendLine("# TYPE creditedge_idempotent_replays_total counter");
        text.Append(c, $"creditedge_idempotent_replays_total {Interlocked.Read(ref _replays)}\n");

        text.AppendLine("# HELP creditedge_decision_seconds Time from request to durable decision.");
        text.AppendLine("# TYPE creditedge_decision_seconds histogram");
        foreach (var (bound, count) in LatencyBuckets())
        {
            text.Append(c, $"creditedge_decision_seconds_bucket{{le=\"{bound}\"}} {count}\n");
        }

        text.Append(c, $"creditedge_decision_seconds_sum {TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks)).TotalSeconds}\n");
        text.Append(c, $"creditedge_decision_seconds_count {Interlocked.Read(ref _latencyCount)}\n");

        text.AppendLine("# HELP creditedge_model_info The active model (1 when loaded).");
        text.AppendLine("# TYPE creditedge_model_info gauge");
        if (modelId is not null)
        {
            text.Append(c, $"creditedge_model_info{{id=\"{modelId}\",version=\"{modelVersion}\",variant=\"{variant}\"}} 1\n");
        }

        text.AppendLine("# HELP creditedge_store_writable 1 when the decision store takes writes.");
        text.AppendLine("# TYPE creditedge_store_writable gauge");
        text.Append(c, $"creditedge_store_writable {(storeWritable ? 1 : 0)}\n");
        text.AppendLine("# HELP creditedge_outbox_depth Decisions waiting to be synced.");
        text.AppendLine("# TYPE creditedge_outbox_depth gauge");
        text.Append(c, $"creditedge_outbox_depth {outboxDepth}\n");
        text.AppendLine("# HELP creditedge_terminal_requests_refused_total /v1 requests refused by the terminal gate (401) or the per-terminal rate limit (429).");
        text.AppendLine("# TYPE creditedge_terminal_requests_refused_total counter");
        text.Append(c, $"creditedge_terminal_requests_refused_total{{reason=\"terminal-key-missing\"}} {Interlocked.Read(ref _terminalKeyMissing)}\n");
        text.Append(c, $"creditedge_terminal_requests_refused_total{{reason=\"terminal-key-unknown\"}} {Interlocked.Read(ref _terminalKeyUnknown)}\n");
        text.Append(c, $"creditedge_terminal_requests_refused_total{{reason=\"terminal-key-revoked\"}} {Interlocked.Read(ref _terminalKeyRevoked)}\n");
        text.Append(c, $"creditedge_terminal_requests_refused_total{{reason=\"rate-limited\"}} {Interlocked.Read(ref _terminalRateLimited)}\n");
        text.AppendLine("# HELP creditedge_terminal_registry_ok 1 when the last read of terminals.json succeeded; 0 while a damaged file is refused and the last good registry stays in force.");
        text.AppendLine("# TYPE creditedge_terminal_registry_ok gauge");
        text.Append(c, $"creditedge_terminal_registry_ok {Volatile.Read(ref _terminalRegistryOk)}\n");
        text.AppendLine("# HELP creditedge_retention_deleted_total Audit links (synced decisions, device events) deleted by retention since start.");
        text.AppendLine("# TYPE creditedge_retention_deleted_total counter");
        text.Append(c, $"creditedge_retention_deleted_total {retentionDeleted}\n");
        return text.ToString();
    }
}
