using System.Collections;
using System.Reflection;
using LiteDB;
using LiteDB.Engine;

namespace CreditEdge.Storage;

/// <summary>
/// One open LiteDB engine over the store's two files (each a <see cref="SyncedFileStream"/>). LiteDB closes its engine for
/// good after an I/O error (every later call rethrows it), so the store replaces a failed engine with a fresh one of
/// these instead of carrying on with a dead one.
/// </summary>
internal sealed class StoreEngine : IDisposable
{
    private readonly LiteEngine _engine;

    private StoreEngine(SyncedFileStream data, SyncedFileStream log, LiteEngine engine, LiteDatabase db)
    {
        Data = data;
        Log = log;
        _engine = engine;
        Db = db;
    }

    public SyncedFileStream Data { get; }

    public SyncedFileStream Log { get; }

    public LiteDatabase Db { get; }

    /// <summary>
    /// Opens the encrypted files; throws <see cref="StorageException"/> naming the file and why. The log is made durable
    /// before anything is written to the data file (a checkpoint cut short is finished from the log), and each time it
    /// is (and after LiteDB empties it) <paramref name="journal"/> starts over from there (<see cref="DecisionJournal"/>).
    /// </summary>
    public static StoreEngine Open(DecisionStoreSettings settings, string password, DecisionJournal journal)
    {
        var dataPath = Path.Combine(settings.DataDirectory, DecisionStoreSettings.DatabaseFile);
        SyncedFileStream? data = null;
        SyncedFileStream? log = null;
        try
        {
            log = new SyncedFileStream(Path.Combine(settings.DataDirectory, DecisionStoreSettings.LogFile), settings.OnFileSynced, settings.Durable,
                afterSetLength: journal.StartOver);
            var logStream = log;
            data = new SyncedFileStream(dataPath, settings.OnFileSynced, settings.Durable, beforeWrite: () => journal.StartOver(logStream.Sync()));
            var engine = new LiteEngine(new EngineSettings { DataStream = data, LogStream = log, TempStream = new MemoryStream(), Password = password });
            var db = new LiteDatabase(engine, new BsonMapper(), disposeOnClose: true) { CheckpointSize = settings.CheckpointPages };
            return new StoreEngine(data, log, engine, db);
        }
        catch (LiteException ex) when (ex.Message.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            Close(data, log);
            throw new StorageException($"the key in '{settings.KeyFilePath}' does not open '{dataPath}' ({ex.Message.TrimEnd('.')}); this is not the key this store was created with", ex);
        }
        catch (Exception ex) when (ex is LiteException or InvalidCastException or ArgumentException)
        {
            Close(data, log);
            throw new DamagedStoreException($"'{dataPath}' is damaged and cannot be opened ({ex.Message.TrimEnd('.')}); it was left as it is: restore it from a backup or move it aside to start an empty store", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Close(data, log);
            throw new StorageException($"'{dataPath}' cannot be opened: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/> with the files opened read-only and LiteDB in read-only mode: how a start checks the
    /// documents it needs before anything — not even LiteDB's log recovery, which rewrites the header page at open — writes
    /// to the store, and how an audit reads a stopped agent's store. Throws <see cref="DamagedStoreException"/> when they cannot be read, <see cref="StorageException"/> when the
    /// key does not open the file.
    /// </summary>
    public static void ReadOnly(DecisionStoreSettings settings, string password, Action<LiteDatabase> read)
    {
        var dataPath = Path.Combine(settings.DataDirectory, DecisionStoreSettings.DatabaseFile);
        var logPath = Path.Combine(settings.DataDirectory, DecisionStoreSettings.LogFile);
        using var data = new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var log = File.Exists(logPath) ? new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite) : null;
        try
        {
            using var db = OpenReadOnly(data, log, password);
            read(db);
        }
        catch (LiteException ex) when (ex.Message.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            throw new StorageException($"the key in '{settings.KeyFilePath}' does not open '{dataPath}' ({ex.Message.TrimEnd('.')}): either this is not the key the store was created with, or the file's first pages are damaged; it was left as it is", ex);
        }
        catch (Exception ex) when (ex is LiteException or InvalidCastException or ArgumentException or IOException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new DamagedStoreException($"'{dataPath}' is damaged and cannot be read ({ex.Message.TrimEnd('.')}); it was left as it is: restore it from a backup or move it aside to start an empty store", ex);
        }
    }

    /// <summary>LiteDB in read-only mode over files opened read-only (no log: an empty one); the caller owns the streams.</summary>
    internal static LiteDatabase OpenReadOnly(Stream data, Stream? log, string password) =>
        new(new LiteEngine(new EngineSettings
        {
            DataStream = data, LogStream = log ?? new MemoryStream(), TempStream = new MemoryStream(), Password = password, ReadOnly = true,
        }), new BsonMapper(), disposeOnClose: true);

    /// <summary>
    /// Closes the engine and both files; after a disk failure any of that may throw, and nothing is left to save. A
    /// transaction LiteDB could not roll back (an I/O error, or its "discarded page must be writable" after a safepoint)
    /// stays in its monitor, and LiteDB's TransactionService finalizer would later rethrow on the finalizer thread and
    /// end the process; so the finalizers of whatever transactions are still registered are suppressed first.
    /// </summary>
    public void Dispose()
    {
        var open = OpenTransactions(_engine);
        try
        {
            Db.Dispose();
        }
        catch (Exception ex) when (ex is LiteException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // the engine already closed itself on the failure
        }

        foreach (var transaction in open.Concat(OpenTransactions(_engine)))
        {
#pragma warning disable CA1816 // on purpose: LiteDB's own object, whose finalizer would rethrow a failure already handled here
            GC.SuppressFinalize(transaction);
#pragma warning restore CA1816
        }

        Close(Data, Log);
    }

    /// <summary>Closes without anything more reaching the files (<see cref="SyncedFileStream.Abandon"/>): an engine given up after a failure.</summary>
    public void Abandon()
    {
        Log.Abandon();
        Data.Abandon();
        Dispose();
    }

    /// <summary>The engine's registered transactions (LiteDB 5.0.21 internals: LiteEngine._monitor._transactions); none if the layout differs.</summary>
    private static List<object> OpenTransactions(LiteEngine engine)
    {
        const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;
        var monitor = typeof(LiteEngine).GetField("_monitor", Private)?.GetValue(engine);
        var transactions = monitor?.GetType().GetField("_transactions", Private)?.GetValue(monitor) as IDictionary;
        if (transactions is null)
        {
            return [];
        }

        lock (transactions)
        {
            return transactions.Values.Cast<object>().ToList();
        }
    }

    private static void Close(SyncedFileStream? data, SyncedFileStream? log)
    {
        foreach (var stream in new[] { log, data })
        {
            if (stream is null)
            {
                continue;
            }

            try
            {
                stream.Sync();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or IOException)
            {
                // closed already (by LiteDB after an I/O error, or abandoned), or the disk refuses even the flush
            }

            stream.Dispose();
        }
    }
}
