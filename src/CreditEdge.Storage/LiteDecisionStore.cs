using System.Diagnostics;
using JsonSerializer = System.Text.Json.JsonSerializer;
using CreditEdge.Core.Audit;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Sync;
using LiteDB;
using LiteDB.Engine;
using Microsoft.Extensions.Logging;

namespace CreditEdge.Storage;

/// <summary>
/// Decisions in one encrypted LiteDB file, made durable by a write-ahead journal (README "The journal"). A single writer
/// thread takes whatever is waiting, gives each decision its place and hash in the audit chain, and appends the whole
/// batch as one encrypted journal record with one <c>fdatasync</c>: group commit. A caller's task completes only after
/// that fdatasync. An applier thread then commits the journaled batches into LiteDB, several at a time, with the same
/// code a store recovering from a crash uses to apply them again (<see cref="JournalRecord.ApplyAll"/>); until it has, the
/// decisions are read from an overlay, and reads that need LiteDB complete (the outbox, counts, the audit) wait for it.
/// <para>
/// Device events (<see cref="AppendEventAsync"/>: the enclosure opened, a key revoked) take the same queue and commit
/// into the same chain, between the decisions, as links of their own; they have no outbox record and are never refused
/// for a full outbox.
/// </para>
/// <para>
/// A journal append that fails fails its callers with a <see cref="StorageException"/>; a LiteDB commit that fails (a full
/// or failing disk) is rolled back, its batches stay durable in the journal and readable, and the store turns unwritable
/// with the reason (<see cref="UnwritableReason"/>): new writes are refused; it never takes the process down. While
/// unwritable, the applier retries the batches — or a small probe commit — with exponential backoff
/// (<see cref="DecisionStoreSettings.ProbeMinDelay"/> … <see cref="DecisionStoreSettings.ProbeMaxDelay"/>); the first
/// commit that succeeds makes it writable again, without a restart. Opening probes once, so a store opened on a full
/// disk starts unwritable.
/// </para>
/// </summary>
public sealed partial class LiteDecisionStore : IDecisionStore, IOutbox, IDisposable
{
    internal const string Decisions = "decisions";
    internal const string Idempotency = "idempotency";
    internal const string Outbox = "outbox";
    internal const string Audit = "audit";
    internal const string Meta = "meta";
    internal const string ChainHeadId = "chain-head";
    internal const string RetentionCheckpointId = "retention-checkpoint";
    private const string ProbeId = "write-probe";
    private const int PageSize = 8192;
    private const int MaxGatheredBatches = 64;

    private readonly DecisionStoreSettings _settings;
    private readonly ILogger _logger;
    private readonly DataDirectoryLock _lock;
    private readonly string _password;
    private readonly DecisionJournal _journal;
    private readonly ReaderWriterLockSlim _engineGate = new();
    private readonly WriteQueue<PendingWrite> _queue = new();
    private ChainState? _chain; // the writer's copy of the chain head and outbox mark after its last commit
    private readonly List<BsonDocument> _unapplied = []; // under _overlayGate: journaled batches LiteDB does not hold yet, oldest first
    private readonly object _overlayGate = new();
    private long _journaledBatch; // under _overlayGate: the last batch journaled
    private long _appliedBatch; // under _overlayGate: the last batch LiteDB holds (of those journaled since the open)
    private bool _stopApplying; // under _overlayGate
    private bool _collectionsExist; // made at open, or by the applier under the gate's write lock if the disk refused then
    private long _firstUnappliedAt; // under _overlayGate: when the oldest unapplied batch was journaled
    private readonly Thread _applier;
    private long _applyStarted; // Stopwatch timestamp of the applier's commit; 0 while it waits
    private readonly Dictionary<string, BsonDocument> _overlayDecisions = new(StringComparer.Ordinal); // their decisions, by id
    private readonly Dictionary<string, string> _overlayKeys = new(StringComparer.Ordinal); // their idempotency keys
    private readonly Thread _writer;
    private volatile string? _unwritableReason;
    private TimeSpan _probeDelay;
    private long _outboxDepth;
    private long _commitStarted; // Stopwatch timestamp of the commit the writer is in; 0 while it waits for work
    private bool _disposed;

    // replaced only by the applier thread (after a failed commit), under the gate's write lock; readers and the writer hold its read lock
    private StoreEngine? _engine;

    private LiteDecisionStore(DecisionStoreSettings settings, ILogger logger, DataDirectoryLock directoryLock, string password, DecisionJournal journal, StoreEngine engine)
    {
        _settings = settings;
        _logger = logger;
        _lock = directoryLock;
        _password = password;
        _journal = journal;
        _engine = engine;
        _outboxDepth = engine.Db.GetCollection(Outbox).LongCount() + OutboxMark.Read(engine.Db, out _).Count(engine.Db.GetCollection(Decisions));
        _probeDelay = settings.ProbeMinDelay;
        EnsureSequenceIndex(engine.Db);
        Probe();
        _writer = new Thread(WriteLoop) { Name = "creditedge-decision-writer", IsBackground = true };
        _writer.Start();
        _applier = new Thread(ApplyLoop) { Name = "creditedge-decision-applier", IsBackground = true };
        _applier.Start();
    }

    public bool IsWritable => _unwritableReason is null && !_disposed;

    /// <summary>Why the store takes no writes (e.g. "No space left on device : '…/decisions-log.db'"); null while it does.</summary>
    public string? UnwritableReason => _disposed ? "the decision store is closed" : _unwritableReason;

    /// <summary>True while the outbox is full and new decisions are refused.</summary>
    public bool IsOutboxFull => Interlocked.Read(ref _outboxDepth) >= _settings.MaxOutbox;

    public long Depth => Interlocked.Read(ref _outboxDepth);

    /// <summary>Raised (on the thread pool) after batches with decisions or events were committed to LiteDB, so the sync pump can wake up.</summary>
    public event Action? RecordsAdded;

    public string DatabasePath => Path.Combine(_settings.DataDirectory, DecisionStoreSettings.DatabaseFile);

    /// <summary>Times the applier has waited while gathering batches for one LiteDB commit (applier thread; for tests).</summary>
    internal long GatherWaits { get; private set; }

    /// <summary>
    /// Opens (or creates) the store: takes the directory lock, loads or creates the key, opens the encrypted file.
    /// Throws <see cref="StorageException"/> with the reason when any of that fails.
    /// </summary>
    public static LiteDecisionStore Open(DecisionStoreSettings settings, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        List<BsonDocument> journalRecords;
        var directoryLock = DataDirectoryLock.Acquire(settings.DataDirectory);
        DecisionJournal? journal = null;
        try
        {
            var dataPath = Path.Combine(settings.DataDirectory, DecisionStoreSettings.DatabaseFile);
            var storeExists = File.Exists(dataPath) && new FileInfo(dataPath).Length > 0;
            var password = StorageKey.LoadOrCreate(settings.KeyFilePath, storeExists);
            try
            {
                journal = DecisionJournal.Open(settings.JournalPath, password, settings.Durable, settings.OnFileSynced, out var durableLog, out var records);
                CutLog(settings, durableLog, logger);
                journalRecords = records;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StorageException($"the journal '{settings.JournalPath}' cannot be read: {ex.Message}", ex);
            }

            if (storeExists)
            {
                // read what every start needs before anything is written: a damaged file is refused here, untouched
                ThrowIfNotWholePages(dataPath);
                StoreEngine.ReadOnly(settings, password, db =>
                {
                    _ = db.GetCollection(Outbox).LongCount();
                    _ = db.GetCollection(Decisions).LongCount();
                    _ = db.GetCollection(Meta).FindById(ChainHeadId);
                    _ = db.GetCollection(Meta).FindById(RetentionCheckpointId);
                });
            }

            return new LiteDecisionStore(settings, logger, directoryLock, password, journal, OpenEngine(settings, password, journal, journalRecords, logger));
        }
        catch
        {
            journal?.Dispose();
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// After a crash the log may end in pages that never reached the disk (only the journal's records were fsynced since
    /// its start record): cut it back to the length the start record says was durable. The batches after it are applied
    /// again from the journal (<see cref="OpenEngine"/>). A clean close leaves nothing to cut.
    /// </summary>
    private static void CutLog(DecisionStoreSettings settings, long? durableLog, ILogger logger)
    {
        var logPath = Path.Combine(settings.DataDirectory, DecisionStoreSettings.LogFile);
        if (durableLog is not { } durable || !File.Exists(logPath))
        {
            return;
        }

        using var log = new FileStream(logPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        if (log.Length <= durable)
        {
            return;
        }

        Log.LogCut(logger, log.Length - durable, durable);
        log.SetLength(durable);
        log.Flush(flushToDisk: settings.Durable);
    }

    /// <summary>
    /// Opens the engine and applies the journal's batches it does not hold yet (a crash, or a commit that failed after
    /// earlier batches were acknowledged from the journal alone), in one transaction; then makes the log durable and
    /// starts the journal over. Throws <see cref="StorageException"/> when that cannot be done.
    /// </summary>
    private static StoreEngine OpenEngine(DecisionStoreSettings settings, string password, DecisionJournal journal, List<BsonDocument> records, ILogger logger)
    {
        var engine = StoreEngine.Open(settings, password, journal);
        try
        {
            var replayed = Replay(engine.Db, records);
            journal.Applied(long.MaxValue); // LiteDB holds every batch the journal has
            var durableLog = engine.Log.Sync();
            try
            {
                journal.StartOver(durableLog);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // a full disk: the store opens readable, the journal refuses appends until a start over succeeds (the
                // writer tries one before its next batch), and nothing is lost — the earlier epoch is untouched
                Log.StartOverFailed(logger, ex);
            }

            if (replayed > 0)
            {
                Log.Replayed(logger, replayed);
            }

            return engine;
        }
        catch (Exception ex) when (ex is LiteException or IOException or UnauthorizedAccessException or InvalidCastException)
        {
            engine.Abandon();
            throw new StorageException($"the journal's batches could not be applied to '{Path.Combine(settings.DataDirectory, DecisionStoreSettings.DatabaseFile)}': {ex.Message}", ex);
        }
        catch
        {
            engine.Abandon();
            throw;
        }
    }

    /// <summary>Applies the journal records whose batch the store does not hold (its chain head's <c>batch</c>); returns how many.</summary>
    private static int Replay(LiteDatabase db, List<BsonDocument> records)
    {
        var applied = db.GetCollection(Meta).FindById(ChainHeadId)?["batch"] is { IsNumber: true } batch ? batch.AsInt64 : 0L;
        var missing = records.Where(record => record["b"].AsInt64 > applied).ToList();
        if (missing.Count == 0)
        {
            return 0;
        }

        if (missing[0]["b"].AsInt64 != applied + 1)
        {
            throw new DamagedStoreException($"the journal goes on from batch {missing[0]["b"].AsInt64} but the store holds batches up to {applied}: batches in between are lost; the files were left as they are");
        }

        JournalRecord.ApplyAll(db, missing);
        return missing.Count;
    }

    /// <summary>
    /// Verifies the audit chain of a stopped agent's store without writing anything to it: takes the directory lock (so
    /// it is refused while an agent runs there) and reads the files read-only. A store that cannot be read throws
    /// <see cref="DamagedStoreException"/>; <see cref="AuditSalvage"/> then reads what it can.
    /// </summary>
    public static AuditReport VerifyStopped(DecisionStoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var directoryLock = DataDirectoryLock.Acquire(settings.DataDirectory);
        var dataPath = Path.Combine(settings.DataDirectory, DecisionStoreSettings.DatabaseFile);
        if (!File.Exists(dataPath) || new FileInfo(dataPath).Length == 0)
        {
            throw new StorageException($"no decision store in '{settings.DataDirectory}' ({DecisionStoreSettings.DatabaseFile} is missing)");
        }

        ThrowIfNotWholePages(dataPath);
        var password = StorageKey.LoadOrCreate(settings.KeyFilePath, storeExists: true);
        AuditReport? report = null;
        StoreEngine.ReadOnly(settings, password, db => report = VerifyAuditChain(db));
        return report!;
    }

    /// <summary>
    /// LiteDB writes whole 8 KiB pages into the data file; any other length is a file cut short behind the store's back
    /// (the log is left to LiteDB's own recovery, which ignores a torn last page after a power cut).
    /// </summary>
    private static void ThrowIfNotWholePages(string dataPath)
    {
        var length = new FileInfo(dataPath).Length;
        if (length % PageSize != 0)
        {
            throw new DamagedStoreException($"'{dataPath}' is damaged: {length} bytes is not a whole number of {PageSize}-byte pages (truncated?); it was left as it is: restore it from a backup or move it aside to start an empty store");
        }
    }

    public Task<Decision> SaveAsync(Decision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var pending = new PendingDecision(decision, JsonSerializer.SerializeToUtf8Bytes(decision, DecisionJson.Default.Decision));
        Enqueue(pending, cancellationToken);

        // Once queued the write goes ahead; cancelling only stops the caller from waiting for it.
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Records a device event as the next link of the audit chain, committed and fsynced with the decisions queued
    /// around it; returns the link's sequence once it is durable. It takes no outbox record, so a full outbox never
    /// refuses it; a failing disk does (<see cref="StorageException"/>, as for decisions): the caller retries.
    /// </summary>
    public Task<long> AppendEventAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        ArgumentException.ThrowIfNullOrWhiteSpace(auditEvent.Type);
        ArgumentNullException.ThrowIfNull(auditEvent.Detail);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var pending = new PendingEvent(auditEvent, JsonSerializer.Serialize(auditEvent, AuditEventJson.Default.AuditEvent));
        Enqueue(pending, cancellationToken);
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Up to <paramref name="max"/> device events in chain order with their link's sequence, after link
    /// <paramref name="afterSequence"/> (0: from the first kept); pass the last sequence of a page to read the next.
    /// </summary>
    public IReadOnlyList<(long Sequence, AuditEvent Event)> ReadEvents(long afterSequence, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        WaitApplied();
        return Read(db => db.GetCollection(Audit).Query()
            .Where(Query.GT("_id", afterSequence)).Where(Query.Not("event", BsonValue.Null)).OrderBy("_id").Limit(max).ToEnumerable()
            .Select(link => (link["_id"].AsInt64, DeserializeEvent(link["event"].AsString)))
            .ToList());
    }

    public Decision? Find(string decisionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(decisionId);
        BsonDocument? journaled;
        lock (_overlayGate)
        {
            _ = _overlayDecisions.TryGetValue(decisionId, out journaled);
        }

        // the overlay first: a batch leaves it only after LiteDB committed it
        var json = journaled is not null
            ? StoredDocuments.DecisionJson(journaled)
            : Read(db => StoredDocuments.DecisionJson(db.GetCollection(Decisions).FindById(decisionId)));
        return json is null ? null : Deserialize(json);
    }

    public Decision? FindByIdempotencyKey(string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        string? decisionId;
        lock (_overlayGate)
        {
            _ = _overlayKeys.TryGetValue(idempotencyKey, out decisionId);
        }

        decisionId ??= Read(db => db.GetCollection(Idempotency).FindById(idempotencyKey)?["decisionId"].AsString);
        return decisionId is null ? null : Find(decisionId);
    }

    public IReadOnlyList<OutboxRecord> Peek(int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        WaitApplied();
        return Read(db =>
        {
            var decisions = db.GetCollection(Decisions);
            var records = new List<OutboxRecord>(max);

            // an earlier layout's records first (they are older than anything the mark counts), then the mark's
            foreach (var record in db.GetCollection(Outbox).Query().OrderBy("_id").Limit(max).ToList())
            {
                var decisionId = record["decisionId"].IsString ? record["decisionId"].AsString : string.Empty;

                // the payload is the stored decision (a store written before kept a copy in the record); a record whose
                // decision is missing or unreadable stays, for `cedge audit verify` to report, and is not sent
                string? payload;
                try
                {
                    if (record["payload"] is { IsString: true } copy)
                    {
                        payload = copy.AsString;
                    }
                    else
                    {
                        var decision = decisions.FindOne(Query.EQ(StoredDocuments.Sequence, record["_id"].AsInt64));
                        decisionId = decision?["_id"].AsString ?? decisionId;
                        payload = StoredDocuments.DecisionJson(decision);
                    }
                }
                catch (IOException)
                {
                    payload = null; // damaged: the same, never a blocked outbox
                }

                if (payload is not null && decisionId.Length > 0)
                {
                    records.Add(new OutboxRecord(record["_id"].AsInt64, decisionId, payload));
                }
            }

            if (records.Count < max)
            {
                foreach (var decision in OutboxMark.Read(db, out _).Waiting(decisions, max - records.Count))
                {
                    string? payload;
                    try
                    {
                        payload = StoredDocuments.DecisionJson(decision);
                    }
                    catch (IOException)
                    {
                        payload = null;
                    }

                    if (payload is not null)
                    {
                        records.Add(new OutboxRecord(decision[StoredDocuments.Sequence].AsInt64, decision["_id"].AsString, payload));
                    }
                }
            }

            return records;
        });
    }

    public void Acknowledge(IReadOnlyCollection<long> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0)
        {
            return;
        }

        // in the writer's next journal record, applied to LiteDB with the decisions' batches: never a second writing
        // transaction beside theirs (a crash-loop run damaged a store when acknowledgements committed from the pump's thread)
        RefuseWaitingOnTheWriter(nameof(Acknowledge));
        var pending = new PendingAcknowledgement(sequences);
        Enqueue(pending, CancellationToken.None);
        var removed = pending.Done.Task.GetAwaiter().GetResult();
        Interlocked.Add(ref _outboxDepth, -removed);
    }

    /// <summary>
    /// Retention: deletes up to <paramref name="max"/> audit links from before <paramref name="createdBefore"/>, oldest
    /// first, in one transaction: a decision — with its idempotency key and audit link — only once the broker acknowledged
    /// it (its outbox record is gone); a device event (never synced) by its time alone. It stops at the first link that is
    /// too young or not yet synced, so what is deleted is always a prefix of the audit chain; the hash of its last link is
    /// kept as the retention checkpoint, from which <see cref="VerifyAuditChain()"/> goes on verifying what remains.
    /// Returns how many links were deleted (fewer than <paramref name="max"/>: nothing more is due now).
    /// </summary>
    public int DeleteSyncedBefore(DateTimeOffset createdBefore, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var cutoff = createdBefore.ToUnixTimeMilliseconds();
        WaitApplied(); // the acknowledgements it goes by, applied
        return Read(db =>
        {
            var decisions = db.GetCollection(Decisions);
            var keys = db.GetCollection(Idempotency);
            var outbox = db.GetCollection(Outbox);
            var audit = db.GetCollection(Audit);
            var meta = db.GetCollection(Meta);
            db.BeginTrans();
            try
            {
                var mark = OutboxMark.Read(db, out _);
                var checkpoint = meta.FindById(RetentionCheckpointId);
                var kept = checkpoint?["sequence"].AsInt64 ?? 0L;
                var hash = checkpoint is null ? AuditChain.Genesis : StoredDocuments.HashText(checkpoint["hash"]);
                var links = StoredDocuments.LinksAfter(db, kept).Take(max).ToList();
                var deleted = 0;
                foreach (var link in links)
                {
                    var sequence = link["_id"].AsInt64;
                    if (sequence != kept + 1)
                    {
                        break; // a gap is left for the audit to report, never deleted over
                    }

                    if (IsEventLink(link))
                    {
                        if (link["at"].AsInt64 >= cutoff)
                        {
                            break;
                        }
                    }
                    else
                    {
                        var decision = link["decision"] is { IsDocument: true } itself ? itself.AsDocument : decisions.FindById(link["decisionId"].AsString);
                        if (decision is null || outbox.FindById(sequence) is not null || !mark.IsSynced(sequence))
                        {
                            break; // a missing decision is left for the audit to report too
                        }

                        var stored = Deserialize(StoredDocuments.DecisionJson(decision)!);
                        if (stored.CreatedAt.ToUnixTimeMilliseconds() >= cutoff)
                        {
                            break;
                        }

                        if (stored.IdempotencyKey is { } key)
                        {
                            keys.Delete(key);
                        }

                        decisions.Delete(decision["_id"]);
                    }

                    audit.Delete(sequence); // an event's link, or a decision's of the earlier layout; nothing when the decision was its own
                    kept = sequence;
                    hash = StoredDocuments.HashText(link["hash"]);
                    deleted++;
                }

                if (deleted > 0)
                {
                    meta.Upsert(new BsonDocument
                    {
                        ["_id"] = RetentionCheckpointId,
                        ["sequence"] = kept,
                        ["hash"] = StoredDocuments.Hash(hash),
                        ["deleted"] = (checkpoint?["deleted"].AsInt64 ?? 0L) + deleted,
                        ["at"] = DateTime.UtcNow.Ticks,
                    });
                }

                db.Commit();
                _engine?.Log.WriteOut(); // under the gate's read lock: this engine's log, past a kill -9 as before
                return deleted;
            }
            catch (Exception ex) when (ex is LiteException or IOException)
            {
                TryRollback(db);
                MarkUnwritable(ex);
                throw;
            }
        });
    }

    /// <summary>
    /// How long the writer has been inside its current commit (null while it waits for work). A disk that stops answering
    /// (an SD card stalling, a frozen file system) raises no error: writes just never return; it shows here.
    /// </summary>
    public TimeSpan? CommitRunningFor =>
        Math.Max(Volatile.Read(ref _commitStarted), Volatile.Read(ref _applyStarted)) is var started and not 0 ? Stopwatch.GetElapsedTime(started) : null;

    /// <summary>Size of the store's files on disk.</summary>
    public long SizeBytes =>
        new FileInfo(DatabasePath).Length + new FileInfo(Path.Combine(_settings.DataDirectory, DecisionStoreSettings.LogFile)).Length + _journal.FileBytes;

    /// <summary>Number of decisions stored.</summary>
    public long Count()
    {
        WaitApplied();
        return Read(db => db.GetCollection(Decisions).LongCount());
    }

    /// <summary>
    /// Up to <paramref name="max"/> stored decisions in decision-id order, after <paramref name="afterDecisionId"/> (null:
    /// from the first); pass the last id of a page to read the next. An empty page means there are no more.
    /// </summary>
    public IReadOnlyList<Decision> ReadPage(string? afterDecisionId, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        WaitApplied();
        return Read(db =>
        {
            var query = db.GetCollection(Decisions).Query();
            if (afterDecisionId is not null)
            {
                query = query.Where(Query.GT("_id", afterDecisionId));
            }

            return query.OrderBy("_id").Limit(max).ToEnumerable().Select(d => Deserialize(StoredDocuments.DecisionJson(d)!)).ToList();
        });
    }

    /// <summary>
    /// Walks the audit chain from the first link, recomputing every hash from the stored decisions and the events' stored
    /// JSON.
    /// </summary>
    public AuditReport VerifyAuditChain()
    {
        WaitApplied();
        return Read(VerifyAuditChain);
    }

    /// <summary>An event link holds its event's JSON (and time); a decision link names its decision.</summary>
    internal static bool IsEventLink(BsonDocument link) => link.ContainsKey("event");

    /// <summary>The event JSON an event link holds; null when it holds none.</summary>
    internal static string? EventJson(BsonDocument link) => link["event"] is { IsString: true } json ? json.AsString : null;

    private static AuditReport VerifyAuditChain(LiteDatabase db)
    {
        var decisions = db.GetCollection(Decisions);
        var checkpoint = db.GetCollection(Meta).FindById(RetentionCheckpointId);
        var start = checkpoint is null ? 0L : checkpoint["sequence"].AsInt64;
        var previous = checkpoint is null ? AuditChain.Genesis : StoredDocuments.HashText(checkpoint["hash"]);
        var report = new AuditReport(0, previous, null) { DeletedThrough = start, CheckpointHash = checkpoint is null ? null : previous };
        long verified = 0;
        long events = 0;
        var lastEvents = new Queue<(long Sequence, AuditEvent Event)>();
        AuditReport Result(string? problem = null) =>
            report with { LinksVerified = verified, EventsVerified = events, LastEvents = [.. lastEvents], HeadHash = previous, Problem = problem };

        foreach (var link in StoredDocuments.LinksAfter(db, 0))
        {
            var sequence = link["_id"].AsInt64;
            if (sequence != start + verified + 1)
            {
                return Result(sequence <= start ? $"link {sequence} is stored although retention deleted links 1…{start}" : $"link {start + verified + 1} is missing (next stored link is {sequence})");
            }

            var isEvent = IsEventLink(link);
            var decisionId = isEvent ? null : link["decisionId"].AsString;
            string? json;
            try
            {
                json = isEvent ? EventJson(link) : decisionId is null ? null : StoredDocuments.DecisionJsonOf(link, id => decisions.FindById(id));
            }
            catch (IOException ex)
            {
                return Result($"link {sequence}: decision {decisionId} cannot be read ({ex.Message})");
            }

            if (json is null)
            {
                return Result(isEvent ? $"link {sequence}: its event is not stored as JSON" : $"link {sequence}: decision {decisionId} is missing");
            }

            if (StoredDocuments.RecordedPrevious(link) is { } recorded && recorded != previous)
            {
                return Result(sequence == start + 1 && start > 0
                    ? $"link {sequence}: previous hash does not match the retention checkpoint (link {start})"
                    : $"link {sequence}: previous hash does not match link {sequence - 1}");
            }

            var hash = AuditChain.Link(previous, json);
            if (hash != StoredDocuments.HashText(link["hash"]))
            {
                var what = isEvent ? "event" : $"decision {decisionId}";
                return Result(StoredDocuments.RecordedPrevious(link) is null && sequence == start + 1 && start > 0
                    ? $"link {sequence}: previous hash does not match the retention checkpoint (link {start}), or its {what} was changed" // it records no previous hash to tell which
                    : $"link {sequence}: {what} does not match its recorded hash");
            }

            if (isEvent)
            {
                // its hash holds; its time, outside the hash, is what retention deletes it by
                if (TryDeserializeEvent(json) is not { } auditEvent || auditEvent.At.ToUnixTimeMilliseconds() != link["at"].AsInt64)
                {
                    return Result($"link {sequence}: the event's time does not match its link's");
                }

                events++;
                lastEvents.Enqueue((sequence, auditEvent));
                if (lastEvents.Count > AuditReport.MaxLastEvents)
                {
                    lastEvents.Dequeue();
                }
            }

            previous = hash;
            verified++;
        }

        var head = db.GetCollection(Meta).FindById(ChainHeadId);
        if (head is not null && head["sequence"].AsInt64 != start + verified)
        {
            return Result($"the chain head says {head["sequence"].AsInt64} links; {start + verified} are stored or deleted by retention");
        }

        var stored = decisions.LongCount();
        return stored != verified - events ? Result($"{stored} decisions are stored but only {verified - events} are in the chain") : Result();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        RefuseWaitingOnTheWriter(nameof(Dispose));
        _disposed = true;
        _queue.Complete();
        _writer.Join();
        lock (_overlayGate)
        {
            _stopApplying = true;
            Monitor.PulseAll(_overlayGate);
        }

        _applier.Join();
        if (_engine is { } engine)
        {
            engine.Dispose(); // LiteDB's close checkpoints; the log ends durable
            if (_unapplied.Count == 0)
            {
                TryStartOverAfterClose(); // else the journal keeps them for the next open
            }
        }

        _journal.Dispose();
        _engineGate.Dispose();
        _lock.Dispose();
    }

    /// <summary>
    /// The chain head, the outbox mark and the batch number as the writer's last journaled batch left them. Only the writer
    /// changes them, so it keeps them instead of reading both documents again in every batch (those two reads were ~14 %
    /// of the writer thread's CPU at one client: LiteDB parses a query for each <c>FindById</c>); read from LiteDB only
    /// when it holds every journaled batch.
    /// </summary>
    private sealed record ChainState(OutboxMark Mark, bool MarkStored, long Sequence, string Previous, long Batch)
    {
        public static ChainState Read(StoreEngine engine)
        {
            var mark = OutboxMark.Read(engine.Db, out var markStored); // read before a batch moves the chain head it counts from
            var head = engine.Db.GetCollection(Meta).FindById(ChainHeadId);
            return new ChainState(mark, markStored, head is null ? 0L : head["sequence"].AsInt64,
                head is null ? AuditChain.Genesis : StoredDocuments.HashText(head["hash"]),
                head?["batch"] is { IsNumber: true } batch ? batch.AsInt64 : 0L);
        }
    }

    /// <summary>
    /// After a clean close the log is durable as it is (Close synced it): the journal starts over from its length, so the
    /// next open has nothing to cut or apply again.
    /// </summary>
    private void TryStartOverAfterClose()
    {
        try
        {
            _journal.StartOver(new FileInfo(Path.Combine(_settings.DataDirectory, DecisionStoreSettings.LogFile)).Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // the next open cuts the log back to the last start record and applies the journal again: nothing is lost
        }
    }

    private static Decision Deserialize(string json) =>
        JsonSerializer.Deserialize(json, DecisionJson.Default.Decision)
        ?? throw new StorageException("a stored decision is empty");

    private static AuditEvent DeserializeEvent(string json) =>
        TryDeserializeEvent(json) ?? throw new StorageException("a stored event is not a readable event");

    internal static AuditEvent? TryDeserializeEvent(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, AuditEventJson.Default.AuditEvent);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private void Enqueue(PendingWrite pending, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            _queue.Add(pending);
        }
        catch (InvalidOperationException ex)
        {
            throw new StorageException("the decision store is closing and takes no more writes", ex);
        }
    }

    private void WriteLoop()
    {
        var batch = new List<PendingWrite>(_settings.MaxBatch);
        while (!_queue.IsCompleted)
        {
            batch.Clear();
            if (!_queue.TryTake(batch, _settings.MaxBatch, _settings.ProbeMaxDelay))
            {
                continue; // the applier probes a store that cannot write
            }

            Volatile.Write(ref _commitStarted, Stopwatch.GetTimestamp());
            var durable = CommitBatch(batch);
            Volatile.Write(ref _commitStarted, 0);
            if (durable)
            {
                Answer(batch);
            }
        }
    }

    /// <summary>
    /// Answers the callers of a durable batch. A lone decision, when the settings allow it
    /// (<see cref="DecisionStoreSettings.AnswerLoneDecisionOnWriter"/>), here: its caller's continuation runs on this
    /// thread now, with no thread-pool thread to wake. Anything else on the thread pool: several continuations must not
    /// run one after another on the writer while the next batch waits.
    /// </summary>
    private void Answer(List<PendingWrite> batch)
    {
        if (_settings.AnswerLoneDecisionOnWriter && batch is [PendingDecision lone])
        {
            lone.CompleteHere();
            return;
        }

        foreach (var write in batch)
        {
            write.Complete();
        }
    }

    /// <summary>A caller's continuation answered on the writer (<see cref="Answer"/>) must not wait for the writer.</summary>
    private void RefuseWaitingOnTheWriter(string what)
    {
        if (Thread.CurrentThread == _writer)
        {
            throw new InvalidOperationException($"{what} was called on the decision store's writer thread (a continuation of a decision answered there: DecisionStoreSettings.AnswerLoneDecisionOnWriter); it would wait for the thread it runs on: call it from another thread");
        }
    }

    /// <summary>
    /// A one-document commit + fsync (applier thread): success makes the store writable; failure keeps (or makes) it
    /// unwritable and replaces the engine, which LiteDB closed on the I/O error.
    /// </summary>
    private void Probe()
    {
        if (_engine is null && !TryReopen())
        {
            return;
        }

        var engine = _engine!;
        try
        {
            engine.Db.BeginTrans();
            engine.Db.GetCollection(Meta).Upsert(new BsonDocument { ["_id"] = ProbeId, ["at"] = DateTime.UtcNow.Ticks });
            engine.Db.Commit();
            engine.Log.Sync();
            MarkWritable();
        }
        catch (Exception ex) when (ex is IOException or LiteException or ObjectDisposedException or UnauthorizedAccessException)
        {
            TryRollback(engine.Db);
            MarkUnwritable(ex);
            ReplaceEngine();
        }
    }

    /// <summary>
    /// The index that finds a decision by its place in the chain (outbox, audit walks). Made once, at the first open of a
    /// store (an earlier layout's store too); a disk that refuses it now only makes those reads scan until the next start.
    /// </summary>
    private void EnsureSequenceIndex(LiteDatabase db)
    {
        try
        {
            db.GetCollection(Decisions).EnsureIndex(StoredDocuments.Sequence);
            EnsureCollections(db);
        }
        catch (Exception ex) when (ex is LiteException or IOException or UnauthorizedAccessException)
        {
            Log.IndexFailed(_logger, ex);
        }
    }

    /// <summary>
    /// Creates the collections the applier inserts into, while nothing else uses the engine. LiteDB creates a collection in
    /// the header page that every reader shares, not in the creating transaction's own pages: a reader on another thread
    /// (the writer's idempotency lookup) meeting a collection being created failed with "page type must be collection
    /// page" (seen in a test); once they exist, LiteDB's readers and its one writer keep out of each other's way.
    /// </summary>
    private void EnsureCollections(LiteDatabase db)
    {
        var missing = new[] { Decisions, Idempotency, Audit, Meta }.Where(name => !db.CollectionExists(name)).ToList();
        if (missing.Count > 0)
        {
            // a document in and out again, in one transaction: LiteDB's EnsureIndex("_id") returns without creating anything
            db.BeginTrans();
            try
            {
                foreach (var name in missing)
                {
                    var collection = db.GetCollection(name);
                    collection.Insert(new BsonDocument { ["_id"] = "collection-created" });
                    collection.Delete("collection-created");
                }

                db.Commit();
            }
            catch
            {
                TryRollback(db); // never a transaction left open on this thread
                throw;
            }
        }

        _collectionsExist = true;
    }

    /// <summary>
    /// Closes the (failed) engine and opens a fresh one on the same files, so reads go on while writes wait for space.
    /// The log is kept as it is (in a running process nothing in it is lost, and LiteDB never confirms a transaction
    /// whose pages did not all reach the file); the reopening applies the journaled batches LiteDB lacks.
    /// </summary>
    private void ReplaceEngine()
    {
        _engineGate.EnterWriteLock();
        try
        {
            _engine?.Abandon(); // nothing of the failed engine reaches the files any more, above all no checkpoint of a refused batch
            _engine = null;
        }
        finally
        {
            _engineGate.ExitWriteLock();
        }

        TryReopen();
    }

    private bool TryReopen()
    {
        StoreEngine engine;
        try
        {
            // as at a start after a crash: the log back to its durable length, the journal's batches applied again
            var records = _journal.Reload(out _);
            try
            {
                engine = OpenEngine(_settings, _password, _journal, records, _logger);
                RemoveApplied(records.Count > 0 ? records[^1]["b"].AsInt64 : 0L);
            }
            catch (StorageException ex) when (ex is not DamagedStoreException && HasUnapplied())
            {
                // the journaled batches cannot be applied yet (a full disk): an engine to read from meanwhile; they stay
                // in the journal and the overlay, and the writer applies them once it can
                Log.ReopenFailed(_logger, ex);
                engine = StoreEngine.Open(_settings, _password, _journal);
            }
        }
        catch (Exception ex) when (ex is StorageException or IOException or UnauthorizedAccessException)
        {
            Log.ReopenFailed(_logger, ex);
            return false;
        }

        _engineGate.EnterWriteLock();
        try
        {
            _engine = engine;
        }
        finally
        {
            _engineGate.ExitWriteLock();
        }

        return true;
    }

    /// <summary>
    /// Runs a read (or a small outbox write) on the current engine under the gate's read lock; while no engine is open,
    /// or when LiteDB fails, the caller gets a <see cref="StorageException"/> (503), never a raw LiteDB or I/O error.
    /// </summary>
    private T Read<T>(Func<LiteDatabase, T> read)
    {
        _engineGate.EnterReadLock();
        try
        {
            var engine = _engine ?? throw new StorageException($"the decision store is unavailable: {_unwritableReason ?? "it is being reopened"}");
            return read(engine.Db);
        }
        catch (Exception ex) when (ex is LiteException or IOException or ObjectDisposedException)
        {
            throw new StorageException($"the decision store could not be read: {ex.Message}", ex);
        }
        finally
        {
            _engineGate.ExitReadLock();
        }
    }

    private void MarkWritable()
    {
        _probeDelay = _settings.ProbeMinDelay;
        if (_unwritableReason is not null)
        {
            _unwritableReason = null;
            Log.Writable(_logger);
        }
    }

    private void MarkUnwritable(Exception ex)
    {
        if (_unwritableReason is null)
        {
            _unwritableReason = ex.Message;
            Log.Unwritable(_logger, ex.Message, ex);
        }
        else
        {
            _probeDelay = TimeSpan.FromTicks(Math.Min(_probeDelay.Ticks * 2, _settings.ProbeMaxDelay.Ticks));
        }
    }

    /// <summary>
    /// One batch of the writer (README "The journal"): what it does is decided from the chain state of the last batch, the
    /// overlay and LiteDB, and written as one journal record, fsynced when it holds decisions or events; then the callers
    /// are answered. The applier thread brings LiteDB up to date behind it with the same <see cref="JournalRecord.ApplyAll"/>
    /// a recovering store uses; until then the batch's decisions and keys are read from the overlay. While the store
    /// cannot write (LiteDB's commits fail: a full disk), batches are refused, as before the journal.
    /// </summary>
    private bool CommitBatch(List<PendingWrite> batch)
    {
        if (_unwritableReason is not null || (_chain is null && !LiteDbHoldsEveryBatch()))
        {
            var unavailable = new StorageException($"the decision store cannot take writes: {_unwritableReason ?? "it is catching up"}");
            batch.ForEach(pending => pending.Fail(unavailable));
            return false;
        }

        var synced = false; // decisions and events are answered once durable; acknowledgements alone need no fsync
        var added = 0;
        BsonDocument journaled;
        ChainState next;
        _engineGate.EnterReadLock(); // only the applier replaces the engine, under the write lock
        try
        {
            var engine = _engine ?? throw new StorageException("the decision store is being reopened");
            var db = engine.Db;
            if (_journal.IsBroken)
            {
                _journal.StartOver(engine.Log.Sync()); // its last start over failed: nothing is journaled before one succeeds
            }

            var decisions = db.GetCollection(Decisions);
            var keys = db.GetCollection(Idempotency);
            var outbox = db.GetCollection(Outbox);
            var state = _chain ?? ChainState.Read(engine);
            _chain = null; // until this batch is journaled: a failure leaves the stored state, read again once LiteDB holds every batch
            var mark = state.Mark;
            var markChanged = !state.MarkStored;
            var sequence = state.Sequence;
            var previous = state.Previous;
            var record = new JournalRecord();
            var batchKeys = new Dictionary<string, Decision>(StringComparer.Ordinal);
            var deletedRecords = new HashSet<long>();

            foreach (var write in batch)
            {
                if (write is PendingAcknowledgement acknowledgement)
                {
                    foreach (var acknowledged in acknowledgement.Sequences)
                    {
                        if (!deletedRecords.Contains(acknowledged) && outbox.Exists(Query.EQ("_id", acknowledged)))
                        {
                            deletedRecords.Add(acknowledged);
                            record.OutboxDeleted(acknowledged);
                            acknowledgement.Removed++;
                        }
                        else if (mark.Acknowledge(decisions, acknowledged))
                        {
                            acknowledgement.Removed++;
                            markChanged = true;
                        }
                    }

                    continue;
                }

                synced = true;
                if (write is PendingEvent pendingEvent)
                {
                    sequence++;
                    var eventHash = AuditChain.Link(previous, pendingEvent.Json);
                    record.Event(new BsonDocument
                    {
                        ["_id"] = sequence,
                        ["event"] = pendingEvent.Json,
                        ["at"] = pendingEvent.Event.At.ToUnixTimeMilliseconds(),
                        ["previous"] = StoredDocuments.Hash(previous),
                        ["hash"] = StoredDocuments.Hash(eventHash),
                    });
                    previous = eventHash;
                    pendingEvent.Sequence = sequence;
                    continue;
                }

                var pending = (PendingDecision)write;
                var decision = pending.Decision;
                if (decision.IdempotencyKey is { } key)
                {
                    if (batchKeys.TryGetValue(key, out var earlier))
                    {
                        pending.Result = earlier;
                        continue;
                    }

                    if (JournaledDecisionOf(key) is { } journaledEarlier)
                    {
                        pending.Result = journaledEarlier;
                        continue;
                    }

                    if (keys.FindById(key) is { } existing)
                    {
                        pending.Result = Deserialize(StoredDocuments.DecisionJson(decisions.FindById(existing["decisionId"].AsString))!);
                        continue;
                    }
                }

                if (Interlocked.Read(ref _outboxDepth) + added >= _settings.MaxOutbox)
                {
                    pending.Refusal = new OutboxFullException($"the outbox holds {_settings.MaxOutbox} unsynced decisions; new decisions are refused until the link drains it");
                    continue;
                }

                added++;
                if (decision.IdempotencyKey is { } newKey)
                {
                    batchKeys[newKey] = decision;
                    record.Key(new BsonDocument { ["_id"] = newKey, ["decisionId"] = decision.DecisionId });
                }

                // the decision is its own audit link, and waits in the outbox by being after the outbox mark (OutboxMark)
                sequence++;
                var hash = AuditChain.Link(previous, pending.Utf8Json);
                record.Decision(StoredDocuments.Link(pending.Document, sequence, hash));
                previous = hash;
                pending.Result = decision;
            }

            // every batch moves the batch number, which tells a recovering store which journal records it holds
            var batchNumber = state.Batch + 1;
            var head = new BsonDocument { ["_id"] = ChainHeadId, ["sequence"] = sequence, ["hash"] = StoredDocuments.Hash(previous), ["batch"] = batchNumber };
            journaled = record.ToDocument(batchNumber, head, markChanged ? mark.ToDocument() : null);
            _journal.Append(journaled, sync: synced); // acknowledgements alone need no fsync: one lost to a power cut is a decision sent twice
            next = new ChainState(mark, MarkStored: true, sequence, previous, batchNumber);
        }
        catch (Exception ex)
        {
            _engineGate.ExitReadLock();
            Log.CommitFailed(_logger, batch.Count, ex);
            MarkUnwritable(ex);
            var failure = new StorageException($"the decision store could not commit: {ex.Message}", ex);
            foreach (var pending in batch)
            {
                pending.Fail(failure);
            }

            lock (_overlayGate)
            {
                Monitor.PulseAll(_overlayGate); // the applier probes now: it replaces an engine that failed
            }

            return false; // LiteDB untouched
        }

        _engineGate.ExitReadLock();

        // durable: readable from the overlay until LiteDB holds it, counted; WriteLoop answers
        _chain = next;
        AddUnapplied(journaled);
        Interlocked.Add(ref _outboxDepth, added);
        return true;
    }

    /// <summary>Waits a little for the applier to catch up (the writer's chain state must then be read from LiteDB); false if it does not.</summary>
    private bool LiteDbHoldsEveryBatch()
    {
        lock (_overlayGate)
        {
            var deadline = Environment.TickCount64 + 2_000;
            while (_unapplied.Count > 0 && Environment.TickCount64 < deadline)
            {
                Monitor.Wait(_overlayGate, 100);
            }

            return _unapplied.Count == 0;
        }
    }

    /// <summary>
    /// The applier thread: applies whatever the writer journaled and LiteDB does not hold, all of it in one transaction,
    /// as soon as there is any; while the store cannot write it retries (or probes) with backoff.
    /// </summary>
    private void ApplyLoop()
    {
        var failed = false;
        while (true)
        {
            List<BsonDocument>? work = null;
            lock (_overlayGate)
            {
                if (!_stopApplying && (_unapplied.Count == 0 || failed))
                {
                    Monitor.Wait(_overlayGate, _unwritableReason is null ? _settings.ProbeMaxDelay : _probeDelay);
                }

                // gather for a moment: fewer, larger LiteDB commits, and less of them beside a request's answer on two cores
                var gatherUntil = _firstUnappliedAt + (long)(_settings.ApplyDelay.TotalSeconds * Stopwatch.Frequency);
                while (!_stopApplying && !failed && _unapplied.Count is > 0 and < MaxGatheredBatches && Stopwatch.GetTimestamp() < gatherUntil)
                {
                    // whole milliseconds, rounded up: Monitor.Wait truncates a TimeSpan to milliseconds, and under one it
                    // returned at once, so the last millisecond of every gathering was a busy loop (a third of a core
                    // at one client, perf)
                    var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), gatherUntil);
                    Monitor.Wait(_overlayGate, Math.Max(1, (int)Math.Ceiling(remaining.TotalMilliseconds)));
                    GatherWaits++;
                }

                if (_unapplied.Count > 0)
                {
                    work = [.. _unapplied];
                }
                else if (_stopApplying)
                {
                    return;
                }
            }

            Volatile.Write(ref _applyStarted, Stopwatch.GetTimestamp());
            if (work is not null)
            {
                failed = !TryApply(work);
            }
            else if (_unwritableReason is not null)
            {
                Probe();
            }

            Volatile.Write(ref _applyStarted, 0);
            if (failed && _stopApplying)
            {
                return; // what could not be applied stays in the journal for the next open
            }
        }
    }

    /// <summary>
    /// Applies <paramref name="work"/> (journaled batches, oldest first) to LiteDB in one transaction (applier thread). A
    /// failure (a full disk) makes the store unwritable and replaces the engine, whose reopening applies the journal
    /// again if it can; the batches stay durable in the journal and readable from the overlay meanwhile.
    /// </summary>
    private bool TryApply(List<BsonDocument> work)
    {
        var engine = _engine;
        if (engine is null)
        {
            return TryReopen();
        }

        var db = engine.Db;
        if (!_collectionsExist)
        {
            _engineGate.EnterWriteLock();
            try
            {
                EnsureCollections(db);
            }
            catch (Exception ex) when (ex is LiteException or IOException or UnauthorizedAccessException)
            {
                // the transaction below fails the same way and says so
            }
            finally
            {
                _engineGate.ExitWriteLock();
            }
        }

        try
        {
            JournalRecord.ApplyAll(db, work);
            engine.Log.WriteOut(); // to the operating system: past a kill -9 without the journal's help
        }
        catch (Exception ex)
        {
            Log.ApplyFailed(_logger, work.Count, ex);
            MarkUnwritable(ex);
            ReplaceEngine();
            return false;
        }

        RemoveApplied(work[^1]["b"].AsInt64);
        MarkWritable(); // a commit that went through: as good a probe as any
        if (_journal.Length > _settings.MaxJournalBytes)
        {
            TryStartOver(engine);
        }

        if (work.Any(record => record["d"].AsArray.Count > 0 || record["e"].AsArray.Count > 0))
        {
            NotifyRecordsAdded(); // decisions or events: the outbox pump has something new
        }

        return true;
    }

    private void NotifyRecordsAdded()
    {
        if (RecordsAdded is { } committed)
        {
            // off the applier thread: a listener never delays the next commit, and cannot deadlock Dispose
            ThreadPool.QueueUserWorkItem(static state =>
            {
                var (handler, logger) = ((Action, ILogger))state!;
                try
                {
                    handler();
                }
                catch (Exception ex)
                {
                    Log.CommittedHandlerFailed(logger, ex);
                }
            }, (committed, _logger));
        }
    }

    /// <summary>A journaled batch LiteDB does not hold yet: its decisions and keys readable from the overlay meanwhile; the applier woken.</summary>
    private void AddUnapplied(BsonDocument record)
    {
        lock (_overlayGate)
        {
            if (_unapplied.Count == 0)
            {
                _firstUnappliedAt = Stopwatch.GetTimestamp();
            }

            _unapplied.Add(record);
            AddToOverlay(record);
            _journaledBatch = record["b"].AsInt64;

            // the applier wakes for the first batch of a gathering and when enough wait to commit at once; woken for each
            // batch in between, it only waited again (about one context switch per decision at one client)
            if (_unapplied.Count == 1 || _unapplied.Count >= MaxGatheredBatches)
            {
                Monitor.PulseAll(_overlayGate);
            }
        }
    }

    /// <summary>The decision an idempotency key names in the overlay (journaled, not yet in LiteDB); null when it names none there.</summary>
    private Decision? JournaledDecisionOf(string idempotencyKey)
    {
        BsonDocument? decision = null;
        lock (_overlayGate)
        {
            if (_overlayKeys.TryGetValue(idempotencyKey, out var decisionId))
            {
                _ = _overlayDecisions.TryGetValue(decisionId, out decision);
            }
        }

        return decision is null ? null : Deserialize(StoredDocuments.DecisionJson(decision)!);
    }

    private bool HasUnapplied()
    {
        lock (_overlayGate)
        {
            return _unapplied.Count > 0;
        }
    }

    /// <summary>LiteDB holds every batch up to <paramref name="batch"/>: out of the overlay, and readers waiting for it go on.</summary>
    private void RemoveApplied(long batch)
    {
        _journal.Applied(batch);
        lock (_overlayGate)
        {
            _unapplied.RemoveAll(record => record["b"].AsInt64 <= batch);
            _overlayDecisions.Clear();
            _overlayKeys.Clear();
            _unapplied.ForEach(AddToOverlay);
            _appliedBatch = Math.Max(_appliedBatch, batch);
            Monitor.PulseAll(_overlayGate);
        }
    }

    private void AddToOverlay(BsonDocument record)
    {
        foreach (var decision in record["d"].AsArray)
        {
            _overlayDecisions[decision["_id"].AsString] = decision.AsDocument;
        }

        foreach (var key in record["k"].AsArray)
        {
            _overlayKeys[key["_id"].AsString] = key["decisionId"].AsString;
        }
    }

    /// <summary>
    /// Waits (a commit's time) until LiteDB holds every batch answered before this call, so that a read sees what its
    /// caller was told is stored; not while the store cannot write (it would not come), and never longer than a few seconds.
    /// </summary>
    private void WaitApplied()
    {
        lock (_overlayGate)
        {
            var target = _journaledBatch;
            var deadline = Environment.TickCount64 + 5_000;
            while (_appliedBatch < target && _unapplied.Count > 0 && _unwritableReason is null && !_disposed)
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return;
                }

                Monitor.Wait(_overlayGate, (int)left);
            }
        }
    }

    /// <summary>
    /// Makes the log durable and starts the journal over (applier thread, after a commit, when the journal has grown past
    /// <see cref="DecisionStoreSettings.MaxJournalBytes"/>). Every batch is durable either way, so a failure here fails
    /// no caller: the journal is left refusing appends, and the writer's next batch starts it over before anything else.
    /// </summary>
    private void TryStartOver(StoreEngine engine)
    {
        try
        {
            _journal.StartOver(engine.Log.Sync());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            Log.StartOverFailed(_logger, ex);
        }
    }

    /// <summary>Rolls back the writer's open transaction; a rollback that fails too (the disk that failed the commit) is logged, never thrown.</summary>
    private void TryRollback(LiteDatabase db)
    {
        try
        {
            db.Rollback();
        }
        catch (Exception ex)
        {
            Log.RollbackFailed(_logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Decision store commit of {Count} writes (decisions and events) failed; they were not acknowledged")]
        public static partial void CommitFailed(ILogger logger, int count, Exception exception);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "A commit listener failed")]
        public static partial void CommittedHandlerFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Decision store cannot take writes ({Reason}); new decisions get 503 and a write probe retries")]
        public static partial void Unwritable(ILogger logger, string reason, Exception exception);

        [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Decision store takes writes again")]
        public static partial void Writable(ILogger logger);

        [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Reopening the decision store after a failure failed; the next probe retries")]
        public static partial void ReopenFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "The decision store's sequence index could not be made; reads by sequence scan until the next start makes it")]
        public static partial void IndexFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Rolling back a failed commit failed too")]
        public static partial void RollbackFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "The decision log ended in {Bytes} bytes written after its last durable point (a crash); cut back to {Length} bytes, the journal applies those batches again")]
        public static partial void LogCut(ILogger logger, long bytes, long length);

        [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "The journal could not start over; the next commit tries again before it writes")]
        public static partial void StartOverFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 2011, Level = LogLevel.Error, Message = "Applying {Count} journaled batches to the decision store failed; they stay durable in the journal and are applied once the store can write")]
        public static partial void ApplyFailed(ILogger logger, int count, Exception exception);

        [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "Applied {Batches} journaled batches the decision store did not hold (after a crash or a failed commit)")]
        public static partial void Replayed(ILogger logger, int batches);
    }
}
