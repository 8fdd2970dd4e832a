using CreditEdge.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Storage.Tests;

/// <summary>
/// Opens a store whose <see cref="DecisionStoreSettings.OnFileSynced"/> writes every fsync into one ordered record,
/// into which the test also writes each acknowledgement it receives. For every fsync of the log it notes how many
/// decisions were committed at that moment, counted by a reader on another thread: the writer's own thread would also
/// see its still-open transaction, so only a second thread tells committed from written.
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
    private string _logPath = string.Empty;

    /// <summary>An fsync (<see cref="SyncedFile"/> set) or an acknowledgement (<see cref="AcknowledgedDecisionId"/> set), in order.</summary>
    /// <param name="CommittedDecisions">Decisions committed when the log fsync returned; -1 for data-file fsyncs and when unknown.</param>
    /// <param name="LogBytes">Length of the log file when the fsync returned.</param>
    public sealed record Entry(string? SyncedFile, long CommittedDecisions, long LogBytes, string? AcknowledgedDecisionId);

    public string LogPath => _logPath;

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

    public LiteDecisionStore Open(string dataDirectory)
    {
        _logPath = Path.Combine(dataDirectory, DecisionStoreSettings.LogFile);
        DataPath = Path.Combine(dataDirectory, DecisionStoreSettings.DatabaseFile);
        var store = LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = dataDirectory, OnFileSynced = OnFileSynced }, NullLogger.Instance);
        Volatile.Write(ref _store, store);
        return store;
    }

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
        var committed = path == _logPath ? CommittedNow() : -1;
        var logBytes = File.Exists(_logPath) ? new FileInfo(_logPath).Length : 0;
        lock (_gate)
        {
            _entries.Add(new Entry(path, committed, logBytes, null));
        }
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
