namespace CreditEdge.Storage;

/// <summary>Where the decision store lives and how it is keyed.</summary>
public sealed record DecisionStoreSettings
{
    public const string DatabaseFile = "decisions.db";
    public const string LogFile = "decisions-log.db";
    public const string JournalFile = "decisions.journal";
    public const string DefaultKeyFile = "storage.key";

    public required string DataDirectory { get; init; }

    /// <summary>Key file; default <c>&lt;DataDirectory&gt;/storage.key</c>.</summary>
    public string? KeyFile { get; init; }

    /// <summary>Most decisions committed (and fsynced) together.</summary>
    public int MaxBatch { get; init; } = 256;

    /// <summary>
    /// Most decisions waiting for sync. When reached, new decisions are refused (503) — never a stored one dropped.
    /// Default 500,000: weeks of a busy kiosk offline, a few hundred MB.
    /// </summary>
    public long MaxOutbox { get; init; } = 500_000;

    /// <summary>
    /// After a write failed (a full or failing disk), the writer thread retries a small probe commit after this delay,
    /// doubling up to <see cref="ProbeMaxDelay"/>; the first that succeeds makes the store writable again. Default 1 s.
    /// </summary>
    public TimeSpan ProbeMinDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between write probes while the store is unwritable. Default 30 s.</summary>
    public TimeSpan ProbeMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Told the full path of a store file (<see cref="DatabaseFile"/> or <see cref="LogFile"/>) after each fsync of it
    /// returned: for metrics such as fsyncs per file. It runs on the thread that synced — for a group commit the writer
    /// thread, after the log's fsync and before any caller of that commit is answered — so it must be quick and must not
    /// throw (an exception fails the commit it reports on). Default none.
    /// </summary>
    public Action<string>? OnFileSynced { get; init; }

    /// <summary>
    /// True (default): a decision is acknowledged only after the fsync that makes it durable. False: the store's files are
    /// never fsynced — writes reach the operating system, and a power cut loses the last seconds of acknowledged decisions.
    /// Only for measuring what the fsyncs cost (README "Performance"); never on a kiosk.
    /// </summary>
    public bool Durable { get; init; } = true;

    /// <summary>
    /// Log pages after which a commit first copies the log into the data file (LiteDB's checkpoint: the data file fsynced,
    /// then the log emptied). Default 100 (800 KiB), not LiteDB's 1,000: a commit of one decision writes about 8 pages, and
    /// the larger the log, the longer each commit's page lookups and the one commit that checkpoints take — measured on
    /// two cores at one client, p99 19 ms → 8 ms durable and 14 ms → 3.4 ms without fsync (README "Performance").
    /// </summary>
    public int CheckpointPages { get; init; } = 100;

    /// <summary>
    /// Bytes of journal records after which the writer makes LiteDB's log durable and the journal starts over (it also
    /// starts over at every checkpoint, which usually comes first). Default 2 MiB.
    /// </summary>
    public int MaxJournalBytes { get; init; } = 2 << 20;

    /// <summary>
    /// How long the applier gathers journaled batches before it commits them to LiteDB in one transaction (it commits at
    /// once when 64 are waiting). Default 2 ms.
    /// </summary>
    public TimeSpan ApplyDelay { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// True: a decision committed alone in its batch is answered on the writer thread — the caller's continuation runs
    /// there at once, with no thread-pool thread to wake (at one client: fewer context switches per decision, README
    /// "Performance"). Decisions committed together are always answered on the thread pool. Only for callers whose
    /// continuations never wait synchronously on this store: one that did would wait for the thread it runs on.
    /// <see cref="LiteDecisionStore.Acknowledge"/> and <see cref="LiteDecisionStore.Dispose"/> refuse such a call
    /// (<see cref="InvalidOperationException"/>) rather than hang. Default false; the agent sets it for its scoring API.
    /// </summary>
    public bool AnswerLoneDecisionOnWriter { get; init; }

    public string KeyFilePath => KeyFile ?? Path.Combine(DataDirectory, DefaultKeyFile);

    public string JournalPath => Path.Combine(DataDirectory, JournalFile);
}
