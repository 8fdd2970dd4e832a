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
/// Decisions in one encrypted LiteDB file, written by a single writer thread that commits whatever is waiting as one
/// transaction (decision + idempotency key + outbox record + audit link per decision) and then fsyncs the log once:
/// group commit. A caller's task completes only after that fsync.
/// <para>
/// Device events (<see cref="AppendEventAsync"/>: the enclosure opened, a key revoked) take the same queue and commit
/// into the same chain, between the decisions, as links of their own; they have no outbox record and are never refused
/// for a full outbox.
/// </para>
/// <para>
/// A commit that fails (a full or failing disk) is rolled back, its callers get a <see cref="StorageException"/>, and the
/// store turns unwritable with the reason (<see cref="UnwritableReason"/>); it never takes the process down. While
/// unwritable, the writer thread retries a small probe commit with exponential backoff (<see cref="DecisionStoreSettings.ProbeMinDelay"/>
/// … <see cref="DecisionStoreSettings.ProbeMaxDelay"/>); the first commit that succeeds — probe or decision — makes it
/// writable again, without a restart. Opening probes once, so a store opened on a full disk starts unwritable.
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

    private readonly DecisionStoreSettings _settings;
    private readonly ILogger _logger;
    private readonly DataDirectoryLock _lock;
    private readonly string _password;
    private readonly ReaderWriterLockSlim _engineGate = new();
    private readonly WriteQueue<PendingWrite> _queue = new();
    private ChainState? _chain; // the writer's copy of the chain head and outbox mark after its last commit
    private readonly Thread _writer;
    private volatile string? _unwritableReason;
    private TimeSpan _probeDelay;
    private long _outboxDepth;
    private long _commitStarted; // Stopwatch timestamp of the commit the writer is in; 0 while it waits for work
    private bool _disposed;

    // replaced only by the writer thread (after a failed commit), under the gate's write lock; readers hold its read lock
    private StoreEngine? _engine;

    private LiteDecisionStore(DecisionStoreSettings settings, ILogger logger, DataDirectoryLock directoryLock, string password, StoreEngine engine)
    {
        _settings = settings;
        _logger = logger;
        _lock = directoryLock;
        _password = password;
        _engine = engine;
        _outboxDepth = engine.Db.GetCollection(Outbox).LongCount() + OutboxMark.Read(engine.Db, out _).Count(engine.Db.GetCollection(Decisions));
        _probeDelay = settings.ProbeMinDelay;
        EnsureSequenceIndex(engine.Db);
        Probe();
        _writer = new Thread(WriteLoop) { Name = "creditedge-decision-writer", IsBackground = true };
        _writer.Start();
    }

    public bool IsWritable => _unwritableReason is null && !_disposed;

    /// <summary>Why the store takes no writes (e.g. "No space left on device : '…/decisions-log.db'"); null while it does.</summary>
    public string? UnwritableReason => _disposed ? "the decision store is closed" : _unwritableReason;

    /// <summary>True while the outbox is full and new decisions are refused.</summary>
    public bool IsOutboxFull => Interlocked.Read(ref _outboxDepth) >= _settings.MaxOutbox;

    public long Depth => Interlocked.Read(ref _outboxDepth);

    /// <summary>Raised on the writer thread after a batch (decisions, events) was committed, so the sync pump can wake up.</summary>
    public event Action? RecordsAdded;

    public string DatabasePath => Path.Combine(_settings.DataDirectory, DecisionStoreSettings.DatabaseFile);

    /// <summary>
    /// Opens (or creates) the store: takes the directory lock, loads or creates the key, opens the encrypted file.
    /// Throws <see cref="StorageException"/> with the reason when any of that fails.
    /// </summary>
    public static LiteDecisionStore Open(DecisionStoreSettings settings, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        var directoryLock = DataDirectoryLock.Acquire(settings.DataDirectory);
        try
        {
            var dataPath = Path.Combine(settings.DataDirectory, DecisionStoreSettings.DatabaseFile);
            var storeExists = File.Exists(dataPath) && new FileInfo(dataPath).Length > 0;
            var password = StorageKey.LoadOrCreate(settings.KeyFilePath, storeExists);
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

            return new LiteDecisionStore(settings, logger, directoryLock, password, StoreEngine.Open(settings, password));
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
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
        var pending = new PendingDecision(decision, JsonSerializer.Serialize(decision, DecisionJson.Default.Decision));
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
        return Read(db => db.GetCollection(Audit).Query()
            .Where(Query.GT("_id", afterSequence)).Where(Query.Not("event", BsonValue.Null)).OrderBy("_id").Limit(max).ToEnumerable()
            .Select(link => (link["_id"].AsInt64, DeserializeEvent(link["event"].AsString)))
            .ToList());
    }

    public Decision? Find(string decisionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(decisionId);
        var json = Read(db => StoredDocuments.DecisionJson(db.GetCollection(Decisions).FindById(decisionId)));
        return json is null ? null : Deserialize(json);
    }

    public Decision? FindByIdempotencyKey(string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        var decisionId = Read(db => db.GetCollection(Idempotency).FindById(idempotencyKey)?["decisionId"].AsString);
        return decisionId is null ? null : Find(decisionId);
    }

    public IReadOnlyList<OutboxRecord> Peek(int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
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

        // on the writer thread, in its next commit (CommitBatch): never a second writing transaction beside the decisions' (a
        // crash-loop run damaged a store when acknowledgements committed from the pump's thread)
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
    public TimeSpan? CommitRunningFor => Volatile.Read(ref _commitStarted) is var started and not 0 ? Stopwatch.GetElapsedTime(started) : null;

    /// <summary>Size of the store's files on disk.</summary>
    public long SizeBytes =>
        new FileInfo(DatabasePath).Length + new FileInfo(Path.Combine(_settings.DataDirectory, DecisionStoreSettings.LogFile)).Length;

    /// <summary>Number of decisions stored.</summary>
    public long Count() => Read(db => db.GetCollection(Decisions).LongCount());

    /// <summary>
    /// Up to <paramref name="max"/> stored decisions in decision-id order, after <paramref name="afterDecisionId"/> (null:
    /// from the first); pass the last id of a page to read the next. An empty page means there are no more.
    /// </summary>
    public IReadOnlyList<Decision> ReadPage(string? afterDecisionId, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
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
    public AuditReport VerifyAuditChain() => Read(VerifyAuditChain);

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

        _disposed = true;
        _queue.Complete();
        _writer.Join();
        _engine?.Dispose();
        _engineGate.Dispose();
        _lock.Dispose();
    }

    /// <summary>
    /// The chain head and the outbox mark as the writer's last commit on <paramref name="Engine"/> left them. Only the writer
    /// changes either, so it keeps them instead of reading both documents again in every commit (those two reads were
    /// ~14 % of the writer thread's CPU at one client: LiteDB parses a query for each <c>FindById</c>).
    /// </summary>
    private sealed record ChainState(StoreEngine Engine, OutboxMark Mark, bool MarkStored, long Sequence, string Previous)
    {
        public static ChainState Read(StoreEngine engine)
        {
            var mark = OutboxMark.Read(engine.Db, out var markStored); // read before a batch moves the chain head it counts from
            var head = engine.Db.GetCollection(Meta).FindById(ChainHeadId);
            return new ChainState(engine, mark, markStored, head is null ? 0L : head["sequence"].AsInt64,
                head is null ? AuditChain.Genesis : StoredDocuments.HashText(head["hash"]));
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
            // writable: wake now and then anyway, in case another thread (an outbox ack) found the disk failing; a real
            // commit is as good a probe as any
            if (!_queue.TryTake(batch, _settings.MaxBatch, _unwritableReason is null ? _settings.ProbeMinDelay : _probeDelay))
            {
                if (_unwritableReason is not null && !_queue.IsCompleted)
                {
                    Volatile.Write(ref _commitStarted, Stopwatch.GetTimestamp());
                    Probe();
                    Volatile.Write(ref _commitStarted, 0);
                }

                continue;
            }

            Volatile.Write(ref _commitStarted, Stopwatch.GetTimestamp());
            CommitBatch(batch);
            Volatile.Write(ref _commitStarted, 0);
        }
    }

    /// <summary>
    /// A one-document commit + fsync (writer thread): success makes the store writable; failure keeps (or makes) it
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
        }
        catch (Exception ex) when (ex is LiteException or IOException or UnauthorizedAccessException)
        {
            Log.IndexFailed(_logger, ex);
        }
    }

    /// <summary>Closes the (failed) engine and opens a fresh one on the same files, so reads go on while writes wait for space.</summary>
    private void ReplaceEngine()
    {
        _engineGate.EnterWriteLock();
        try
        {
            _engine?.Dispose();
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
            engine = StoreEngine.Open(_settings, _password);
        }
        catch (StorageException ex)
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

    private void CommitBatch(List<PendingWrite> batch)
    {
        if (_engine is null && !TryReopen())
        {
            var unavailable = new StorageException($"the decision store is unavailable: {_unwritableReason}");
            batch.ForEach(pending => pending.Fail(unavailable));
            return;
        }

        var engine = _engine!;
        var db = engine.Db;
        var synced = false; // decisions and events are answered once durable; acknowledgements alone need no fsync
        try
        {
            db.BeginTrans();
            var decisions = db.GetCollection(Decisions);
            var keys = db.GetCollection(Idempotency);
            var audit = db.GetCollection(Audit);
            var meta = db.GetCollection(Meta);
            var outbox = db.GetCollection(Outbox);
            var state = _chain is { } known && ReferenceEquals(known.Engine, engine) ? known : ChainState.Read(engine);
            _chain = null; // until this batch has landed: a failed commit leaves the stored state, read again next time
            var mark = state.Mark;
            var markChanged = !state.MarkStored;
            var sequence = state.Sequence;
            var previous = state.Previous;

            var added = 0;
            foreach (var write in batch)
            {
                if (write is PendingAcknowledgement acknowledgement)
                {
                    foreach (var acknowledged in acknowledgement.Sequences)
                    {
                        if (outbox.Delete(acknowledged) || mark.Acknowledge(decisions, acknowledged))
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
                    audit.Insert(new BsonDocument
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
                if (decision.IdempotencyKey is { } key && keys.FindById(key) is { } existing)
                {
                    pending.Result = Deserialize(StoredDocuments.DecisionJson(decisions.FindById(existing["decisionId"].AsString))!);
                    continue;
                }

                if (Interlocked.Read(ref _outboxDepth) + added >= _settings.MaxOutbox)
                {
                    pending.Refusal = new OutboxFullException($"the outbox holds {_settings.MaxOutbox} unsynced decisions; new decisions are refused until the link drains it");
                    continue;
                }

                added++;

                if (decision.IdempotencyKey is { } newKey)
                {
                    keys.Insert(new BsonDocument { ["_id"] = newKey, ["decisionId"] = decision.DecisionId });
                }

                // the decision is its own audit link, and waits in the outbox by being after the outbox mark (OutboxMark)
                sequence++;
                var hash = AuditChain.Link(previous, pending.Json);
                decisions.Insert(StoredDocuments.Link(pending.Document, sequence, hash));
                previous = hash;
                pending.Result = decision;
            }

            if (synced)
            {
                meta.Upsert(new BsonDocument { ["_id"] = ChainHeadId, ["sequence"] = sequence, ["hash"] = StoredDocuments.Hash(previous) });
            }

            if (markChanged)
            {
                meta.Upsert(mark.ToDocument());
            }

            db.Commit();
            if (synced)
            {
                engine.Log.Sync();
            }
            else
            {
                engine.Log.WriteOut(); // no fsync, but past a kill -9: an acknowledgement lost there is a decision sent twice
            }

            _chain = new ChainState(engine, mark, MarkStored: true, sequence, previous);
            Interlocked.Add(ref _outboxDepth, added);
            if (synced)
            {
                MarkWritable(); // an fsync that returned: as good a probe as any
            }

            foreach (var write in batch)
            {
                write.Complete();
            }
        }
        catch (Exception ex)
        {
            TryRollback(db);
            Log.CommitFailed(_logger, batch.Count, ex);
            MarkUnwritable(ex);
            var failure = new StorageException($"the decision store could not commit: {ex.Message}", ex);
            foreach (var pending in batch)
            {
                pending.Fail(failure);
            }

            ReplaceEngine();
            return;
        }

        if (synced && RecordsAdded is { } committed)
        {
            // off the writer thread: a listener never delays the next commit, and cannot deadlock Dispose
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
    }
}
