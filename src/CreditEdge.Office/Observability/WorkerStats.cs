namespace CreditEdge.Office.Observability;

/// <summary>What one ingest worker has done, read by <c>/metrics</c> and <c>/readyz</c>. Thread-safe.</summary>
public sealed class WorkerStats(string clientId)
{
    private long _batches;
    private long _messages;
    private long _commitFailures;
    private long _commitTicks;
    private long _lastCommitTicks;
    private long _decisions;
    private long _telemetry;
    private long _drift;
    private long _modelEvents;
    private long _devices;
    private long _rejected;
    private int _connected;
    private string? _connectError;
    private string? _commitError;

    public string ClientId { get; } = clientId;

    public bool Connected => Volatile.Read(ref _connected) == 1;

    private Func<int>? _queueDepth;

    /// <summary>Messages received and not yet acknowledged (queued or in the batch being committed).</summary>
    public int QueueDepth => _queueDepth?.Invoke() ?? 0;

    public long Batches => Interlocked.Read(ref _batches);

    public long Messages => Interlocked.Read(ref _messages);

    public long CommitFailures => Interlocked.Read(ref _commitFailures);

    public TimeSpan CommitTime => TimeSpan.FromTicks(Interlocked.Read(ref _commitTicks));

    public TimeSpan LastCommit => TimeSpan.FromTicks(Interlocked.Read(ref _lastCommitTicks));

    /// <summary>Why the last connect attempt failed; null once connected.</summary>
    public string? ConnectError => Volatile.Read(ref _connectError);

    /// <summary>Why the last batch commit failed; null once one succeeds.</summary>
    public string? CommitError => Volatile.Read(ref _commitError);

    public IReadOnlyDictionary<string, long> Rows => new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["decisions"] = Interlocked.Read(ref _decisions),
        ["telemetry"] = Interlocked.Read(ref _telemetry),
        ["drift"] = Interlocked.Read(ref _drift),
        ["model_events"] = Interlocked.Read(ref _modelEvents),
        ["devices"] = Interlocked.Read(ref _devices),
        ["rejected_messages"] = Interlocked.Read(ref _rejected),
    };

    internal void ReadQueueDepthFrom(Func<int> source) => _queueDepth = source;

    internal void SetConnected(bool connected)
    {
        Volatile.Write(ref _connected, connected ? 1 : 0);
        if (connected)
        {
            Volatile.Write(ref _connectError, null);
        }
    }

    internal void ConnectFailed(string reason) => Volatile.Write(ref _connectError, reason);

    internal void CommitFailed(string reason)
    {
        Interlocked.Increment(ref _commitFailures);
        Volatile.Write(ref _commitError, reason);
    }

    internal void Committed(int messages, TimeSpan took, Ingest.BatchResult rows)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _messages, messages);
        Interlocked.Add(ref _commitTicks, took.Ticks);
        Interlocked.Exchange(ref _lastCommitTicks, took.Ticks);
        Interlocked.Add(ref _decisions, rows.Decisions);
        Interlocked.Add(ref _telemetry, rows.Telemetry);
        Interlocked.Add(ref _drift, rows.Drift);
        Interlocked.Add(ref _modelEvents, rows.ModelEvents);
        Interlocked.Add(ref _devices, rows.Devices);
        Interlocked.Add(ref _rejected, rows.Rejected);
        Volatile.Write(ref _commitError, null);
    }
}
