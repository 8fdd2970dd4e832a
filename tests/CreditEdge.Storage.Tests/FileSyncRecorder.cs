using CreditEdge.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Storage.Tests;

/// <summary>
/// Opens a store whose <see cref="DecisionStoreSettings.OnFileSynced"/> writes every fsync into one ordered record,
/// into which the test also writes each acknowledgement it receives. For every fsync of the journal it reads the journal
/// back from the disk, as a store opening after a crash would, and notes the decisions its records hold; for every fsync
/// of the log, how many decisions LiteDB had committed, counted by a reader on another thread.
/// </summary>
internal sealed class FileSyncRecorder : IDisposable
{
    /// <summary>How long an fsync notification waits for the committed count before recording it as unknown (-1).</summary>
    private static readonly TimeSpan CountTimeout = TimeSpan.FromSeconds(10);

    [ThreadStatic]
    private static bool _counting;

    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];
    private LiteDecisionStore? _store;
    private bool _countCommitted;
    private string _logPath = string.Empty;

    /// <summary>An fsync (<see cref="SyncedFile"/> set) or an acknowledgement (<see cref="AcknowledgedDecisionId"/> set), in order.</summary>
    /// <param name="CommittedDecisions">Decisions committed when the log fsync returned; -1 for other fsyncs and when unknown.</param>
    /// <param name="LogBytes">Length of the log file when the fsync returned.</param>
    /// <param name="JournaledDecisions">For a journal fsync: the decisions in the records read back from the journal file.</param>
    public sealed record Entry(string? SyncedFile, long CommittedDecisions, long LogBytes, string? AcknowledgedDecisionId, IReadOnlySet<string>? JournaledDecisions = null);

    public string LogPath => _logPath;

    public string JournalPath { get; private set; } = string.Empty;

    public string DataPath { get; private set; } = string.Empty;

    /// <summary>Everything recorded so far, oldest first.</summary>
    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    /// <param name="countCommitted">
    /// False: no committed counts (-1). A count blocks the fsync until a reader gets in, which inside a checkpoint — where
    /// the log and the journal are fsynced before the data file is written — is only after the count's timeout.
    /// </param>
    public LiteDecisionStore Open(string dataDirectory, bool countCommitted = true)
    {
        _countCommitted = countCommitted;
        _logPath = Path.Combine(dataDirectory, DecisionStoreSettings.LogFile);
        DataPath = Path.Combine(dataDirectory, DecisionStoreSettings.DatabaseFile);
        JournalPath = Path.Combine(dataDirectory, DecisionStoreSettings.JournalFile);
        var store = LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = dataDirectory, OnFileSynced = OnFileSynced }, NullLogger.Instance);
        Volatile.Write(ref _store, store);
        return store;
    }

    /// <summary>The journal or its twin (DecisionJournal writes the one not in use when it starts over).</summary>
    public bool IsJournal(string? path) => path == JournalPath || path == JournalPath + DecisionJournal.TwinSuffix;

    /// <summary>Records that the caller's SaveAsync for <paramref name="decisionId"/> has completed.</summary>
    public void Acknowledged(string decisionId)
    {
        lock (_gate)
        {
            _entries.Add(new Entry(null, -1, -1, decisionId));
        }
    }

    /// <summary>Stops counting (a disposed store cannot be read), then closes the store.</summary>
    public void Dispose() => Interlocked.Exchange(ref _store, null)?.Dispose();

    private void OnFileSynced(string path)
    {
        var committed = _countCommitted && path == _logPath ? CommittedNow() : -1;
        var journaled = _countCommitted && IsJournal(path) ? JournaledNow() : null;
        var logBytes = File.Exists(_logPath) ? new FileInfo(_logPath).Length : 0;
        lock (_gate)
        {
            _entries.Add(new Entry(path, committed, logBytes, null, journaled));
        }
    }

    private HashSet<string>? JournaledNow()
    {
        if (Volatile.Read(ref _store) is null)
        {
            return null; // opening (the journal's files are being made) or closing
        }

        var password = StorageKey.LoadOrCreate(Path.Combine(Path.GetDirectoryName(JournalPath)!, DecisionStoreSettings.DefaultKeyFile), storeExists: true);
        using var journal = DecisionJournal.Open(JournalPath, password, durable: false, onSynced: null, out _, out var records);
        return [.. records.SelectMany(record => record["d"].AsArray).Select(decision => decision["_id"].AsString)];
    }

    private long CommittedNow()
    {
        var store = Volatile.Read(ref _store);
        if (store is null || _counting)
        {
            return -1; // opening, closing, or an fsync caused by the counting reader itself
        }

        var result = new long[] { -1 };
        var reader = new Thread(() =>
        {
            _counting = true;
            result[0] = store.Count();
        })
        { IsBackground = true, Name = "fsync-recorder-count" };
        reader.Start();

        // a LiteDB checkpoint holds an exclusive lock a reader must wait for; never block the writer on it for long
        return reader.Join(CountTimeout) ? result[0] : -1;
    }
}
