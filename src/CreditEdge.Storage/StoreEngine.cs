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

    /// <summary>Opens the encrypted files; throws <see cref="StorageException"/> naming the file and why.</summary>
    public static StoreEngine Open(DecisionStoreSettings settings, string password)
    {
        var dataPath = Path.Combine(settings.DataDirectory, DecisionStoreSettings.DatabaseFile);
        SyncedFileStream? data = null;
        SyncedFileStream? log = null;
        try
        {
            data = new SyncedFileStream(dataPath, settings.OnFileSynced);
            log = new SyncedFileStream(Path.Combine(settings.DataDirectory, DecisionStoreSettings.LogFile), settings.OnFileSynced);
            var engine = new LiteEngine(new EngineSettings { DataStream = data, LogStream = log, TempStream = new MemoryStream(), Password = password });
            var db = new LiteDatabase(engine, new BsonMapper(), disposeOnClose: true);
            return new StoreEngine(data, log, engine, db);
        }
        catch (LiteException ex) when (ex.Message.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            Close(data, log);
            throw new StorageException($"the key in '{settings.KeyFilePath}' does not open '{dataPath}' ({ex.Message.TrimEnd('.')}); this is not the key this store was created with", ex);
        }
        catch (Exception ex) when (ex is LiteException or IOException or UnauthorizedAccessException or InvalidCastException or ArgumentException)
        {
            Close(data, log);
            throw new StorageException($"'{dataPath}' cannot be opened: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Closes the engine and both files; after a disk failure any of that may throw, and nothing is left to save. A
    /// transaction LiteDB could not roll back (an I/O error, or its "discarded page must be writable" after a safepoint)
    /// stays in its monitor, and LiteDB's TransactionService finalizer would later rethrow on the finalizer thread and
    /// end the process; so the finalizers of whatever transactions are still registered are suppressed first.
    /// </summary>
    public void Dispose() => Close(checkpoint: true);

    /// <summary>
    /// Closes without letting LiteDB write anything: the files are closed before the engine, so its closing checkpoint
    /// (copying the log into the data file) cannot run. For a store refused as damaged, which must stay as it was found.
    /// </summary>
    public void Abandon() => Close(checkpoint: false);

    private void Close(bool checkpoint)
    {
        if (!checkpoint)
        {
            Close(Data, Log);
        }

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

        if (checkpoint)
        {
            Close(Data, Log);
        }
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
