using CreditEdge.Core.Audit;
using CreditEdge.Core.Decisions;
using LiteDB;

namespace CreditEdge.Storage;

/// <summary>
/// Reads what it can of a store the agent refuses as damaged, for <c>cedge audit verify</c>: works on copies of the two
/// files in a temporary directory (the originals are never opened for writing), keeps whole pages only, and reads every
/// audit link and decision one by one so that one unreadable page costs only the documents on it. Then walks the chain:
/// a link counts as verified only when its decision (or, for a device event, the event JSON the link holds) is readable,
/// hashes to the recorded hash, and the link before it was verified too (or is the retention checkpoint).
/// </summary>
public static class AuditSalvage
{
    private const int PageSize = 8192;

    /// <summary>Most sequence numbers probed past the last link found (the chain head may be on a lost page too).</summary>
    private const int ProbeBeyond = 4096;

    public static SalvageReport Read(string dataDirectory, string? keyFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var settings = new DecisionStoreSettings { DataDirectory = dataDirectory, KeyFile = keyFile };
        var work = Path.Combine(Path.GetTempPath(), $"creditedge-salvage-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            CopyWholePages(Path.Combine(dataDirectory, DecisionStoreSettings.DatabaseFile), Path.Combine(work, DecisionStoreSettings.DatabaseFile));
            var log = Path.Combine(dataDirectory, DecisionStoreSettings.LogFile);
            if (File.Exists(log))
            {
                CopyWholePages(log, Path.Combine(work, DecisionStoreSettings.LogFile));
            }

            string password;
            try
            {
                password = StorageKey.LoadOrCreate(settings.KeyFilePath, storeExists: true);
            }
            catch (StorageException ex)
            {
                return SalvageReport.Unreadable(ex.Message);
            }

            using var reader = new Reader(work, password);
            if (reader.OpenFailure is { } failure)
            {
                return SalvageReport.Unreadable(failure);
            }

            return Walk(reader);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static SalvageReport Walk(Reader reader)
    {
        var checkpoint = reader.Try(db => db.GetCollection(LiteDecisionStore.Meta).FindById(LiteDecisionStore.RetentionCheckpointId));
        var head = reader.Try(db => db.GetCollection(LiteDecisionStore.Meta).FindById(LiteDecisionStore.ChainHeadId));
        var start = checkpoint is null ? 0L : checkpoint["sequence"].AsInt64;
        var links = ReadLinks(reader, start, head is null ? (long?)null : head["sequence"].AsInt64);
        var last = links.Count == 0 ? start : Math.Max(links.Keys.Max(), head?["sequence"].AsInt64 ?? 0);

        var readable = new List<Decision>();
        var events = new List<(long Sequence, AuditEvent Event)>();
        var unreadable = new List<long>();
        var broken = new List<string>();
        long verified = 0;
        long holding = 0;
        var anchored = true; // every link so far verified, back to the genesis or the retention checkpoint
        string? before = checkpoint is null ? AuditChain.Genesis : StoredDocuments.HashText(checkpoint["hash"]); // recorded hash of the link before; null: unreadable
        for (var sequence = start + 1; sequence <= last; sequence++)
        {
            links.TryGetValue(sequence, out var link);
            var isEvent = link is not null && LiteDecisionStore.IsEventLink(link);
            var json = link is null ? null
                : isEvent ? LiteDecisionStore.EventJson(link)
                : reader.Try(db => StoredDocuments.DecisionJsonOf(link, id => db.GetCollection(LiteDecisionStore.Decisions).FindById(id)));
            if (link is null || json is null)
            {
                unreadable.Add(sequence);
                anchored = false;
                before = null;
                continue;
            }

            if (!isEvent && TryDeserialize(json) is { } decision)
            {
                readable.Add(decision);
            }

            var previous = StoredDocuments.RecordedPrevious(link) ?? before;
            if (previous is null)
            {
                // a decision that is its own link does not repeat the previous hash: right after an unreadable link there
                // is nothing to check it against (its decision is read all the same); the links after it are checked again
                unreadable.Add(sequence);
                anchored = false;
                before = StoredDocuments.HashText(link["hash"]);
                continue;
            }

            if (AuditChain.Link(previous, json) != StoredDocuments.HashText(link["hash"]))
            {
                broken.Add($"link {sequence}: {(isEvent ? "event" : $"decision {link["decisionId"].AsString}")} does not match its recorded hash");
                anchored = false;
                before = null;
                continue;
            }

            if (before is not null && previous != before)
            {
                broken.Add($"link {sequence}: previous hash does not match link {sequence - 1}");
                anchored = false;
                before = StoredDocuments.HashText(link["hash"]);
                continue;
            }

            if (anchored)
            {
                verified++;
            }
            else
            {
                holding++;
            }

            if (isEvent && LiteDecisionStore.TryDeserializeEvent(json) is { } auditEvent)
            {
                events.Add((sequence, auditEvent));
            }

            before = StoredDocuments.HashText(link["hash"]);
        }

        // decisions whose links were lost are still worth having: whatever a scan of the decisions reaches
        var found = readable.Select(d => d.DecisionId).ToHashSet(StringComparer.Ordinal);
        foreach (var json in reader.ScanDecisions())
        {
            if (TryDeserialize(json) is { } decision && found.Add(decision.DecisionId))
            {
                readable.Add(decision);
            }
        }

        return new SalvageReport(null, start, last - start, verified, holding, readable, Ranges(unreadable), broken) { VerifiedEvents = events };
    }

    /// <summary>Every link after <paramref name="start"/>: a scan first, then one look-up per sequence the scan did not reach.</summary>
    private static Dictionary<long, BsonDocument> ReadLinks(Reader reader, long start, long? headSequence)
    {
        var links = new Dictionary<long, BsonDocument>();
        reader.Scan(db => db.GetCollection(LiteDecisionStore.Audit).Query().Where(Query.GT("_id", start)).OrderBy("_id").ToEnumerable(), link => links[link["_id"].AsInt64] = link);
        reader.Scan(
            db => db.GetCollection(LiteDecisionStore.Decisions).Query().Where(Query.GT(StoredDocuments.Sequence, start)).ToEnumerable(),
            decision => links[decision[StoredDocuments.Sequence].AsInt64] = StoredDocuments.LinkOf(decision));
        var end = headSequence ?? (links.Count == 0 ? start : links.Keys.Max()) + ProbeBeyond;
        var misses = 0;
        for (var sequence = start + 1; sequence <= end && misses < ProbeBeyond; sequence++)
        {
            if (links.ContainsKey(sequence))
            {
                misses = 0;
                continue;
            }

            var id = sequence;
            var link = reader.Try(db => StoredDocuments.FindLink(db, id));
            if (link is null)
            {
                misses++;
                continue;
            }

            misses = 0;
            links[sequence] = link;
        }

        return links;
    }

    private static List<(long From, long To)> Ranges(List<long> sequences)
    {
        var ranges = new List<(long From, long To)>();
        foreach (var s in sequences)
        {
            if (ranges.Count > 0 && ranges[^1].To == s - 1)
            {
                ranges[^1] = (ranges[^1].From, s);
            }
            else
            {
                ranges.Add((s, s));
            }
        }

        return ranges;
    }

    private static Decision? TryDeserialize(string json)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(json, DecisionJson.Default.Decision);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>What LiteDB throws on a damaged page: its own errors, or whatever a garbled page makes its reader trip over.</summary>
    private static bool IsDamage(Exception ex) =>
        ex is LiteException or IOException or InvalidCastException or ArgumentException or IndexOutOfRangeException
            or InvalidOperationException or NullReferenceException or FormatException or OverflowException or KeyNotFoundException;

    /// <summary>
    /// The copies opened read-only. LiteDB gives up on an engine after some read errors, so a read that fails reopens it:
    /// one damaged page costs the documents on it, not every read after it.
    /// </summary>
    private sealed class Reader : IDisposable
    {
        private readonly string _directory;
        private readonly string _password;
        private FileStream? _data;
        private FileStream? _log;
        private LiteDatabase? _db;

        public Reader(string directory, string password)
        {
            _directory = directory;
            _password = password;
            try
            {
                Open();
            }
            catch (Exception ex) when (IsDamage(ex))
            {
                OpenFailure = $"'{Path.Combine(directory, DecisionStoreSettings.DatabaseFile)}' cannot be opened even read-only ({ex.Message.TrimEnd('.')})";
            }
        }

        public string? OpenFailure { get; }

        public T? Try<T>(Func<LiteDatabase, T?> read)
            where T : class
        {
            try
            {
                return read(Db());
            }
            catch (Exception ex) when (IsDamage(ex))
            {
                Close();
                return null;
            }
        }

        /// <summary>Hands each document a scan reaches to <paramref name="take"/>, until the scan ends or trips over damage.</summary>
        public void Scan(Func<LiteDatabase, IEnumerable<BsonDocument>> query, Action<BsonDocument> take)
        {
            try
            {
                foreach (var document in query(Db()))
                {
                    take(document);
                }
            }
            catch (Exception ex) when (IsDamage(ex))
            {
                Close();
            }
        }

        public List<string> ScanDecisions()
        {
            var found = new List<string>();
            Scan(db => db.GetCollection(LiteDecisionStore.Decisions).FindAll(), d =>
            {
                try
                {
                    found.Add(StoredDocuments.DecisionJson(d)!);
                }
                catch (IOException)
                {
                    // its compressed bytes are damaged: this one is lost, the scan goes on
                }
            });
            return found;
        }

        public void Dispose() => Close();

        private LiteDatabase Db()
        {
            if (_db is null)
            {
                Open();
            }

            return _db!;
        }

        private void Open()
        {
            var log = Path.Combine(_directory, DecisionStoreSettings.LogFile);
            _data = new FileStream(Path.Combine(_directory, DecisionStoreSettings.DatabaseFile), FileMode.Open, FileAccess.Read, FileShare.Read);
            _log = File.Exists(log) ? new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.Read) : null;
            try
            {
                _db = StoreEngine.OpenReadOnly(_data, _log, _password);
            }
            catch
            {
                Close();
                throw;
            }
        }

        private void Close()
        {
            try
            {
                _db?.Dispose();
            }
            catch (Exception ex) when (IsDamage(ex) || ex is ObjectDisposedException)
            {
                // a failed engine may fail its close too
            }

            _db = null;
            _data?.Dispose();
            _log?.Dispose();
            _data = null;
            _log = null;
        }
    }

    private static void CopyWholePages(string from, string to)
    {
        using var source = File.OpenRead(from);
        using var target = File.Create(to);
        var whole = source.Length / PageSize * PageSize;
        var buffer = new byte[PageSize];
        for (long copied = 0; copied < whole; copied += PageSize)
        {
            source.ReadExactly(buffer);
            target.Write(buffer);
        }
    }
}
