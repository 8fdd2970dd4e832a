using CreditEdge.Core.Decisions;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Storage.Tests;

public sealed class LiteDecisionStoreTests : IDisposable
{
    private const string WriterThread = "creditedge-decision-writer";

    private readonly TempDirectory _dir = new("store");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task SaveAsync_ThenReopen_DecisionReadableAfterRestart()
    {
        var decision = SampleDecisions.Create(1);
        using (var store = CreateSut())
        {
            await store.SaveAsync(decision, CancellationToken.None);
        }

        using var reopened = CreateSut();
        var found = reopened.Find(decision.DecisionId);
        Assert.NotNull(found);
        Assert.Equal(decision.DecisionId, found.DecisionId);
        Assert.Equal(decision.Probability, found.Probability);
        Assert.Equal(decision.Input, found.Input);
        Assert.Equal(decision.Reasons, found.Reasons);
        Assert.Equal(decision.CreatedAt, found.CreatedAt);
    }

    [Fact]
    public async Task SaveAsync_SameIdempotencyKeyTwice_ReturnsFirstDecisionAndStoresOne()
    {
        using var store = CreateSut();
        var first = await store.SaveAsync(SampleDecisions.Create(1, "key-1"), CancellationToken.None);
        var second = await store.SaveAsync(SampleDecisions.Create(2, "key-1"), CancellationToken.None);

        Assert.Equal(first.DecisionId, second.DecisionId);
        Assert.Equal(1, store.Count());
        Assert.Equal(first.DecisionId, store.FindByIdempotencyKey("key-1")!.DecisionId);
    }

    [Fact]
    public async Task SaveAsync_SameIdempotencyKeyConcurrently_AllGetOneDecision()
    {
        using var store = CreateSut();
        var saves = Enumerable.Range(0, 20).Select(i => store.SaveAsync(SampleDecisions.Create(i, "same-key"), CancellationToken.None));
        var results = await Task.WhenAll(saves);

        Assert.Single(results.Select(r => r.DecisionId).Distinct());
        Assert.Equal(1, store.Count());
    }

    [Fact]
    public async Task SaveAsync_ManyConcurrentWrites_AllStoredAndChainIntact()
    {
        using var store = CreateSut();
        var decisions = Enumerable.Range(0, 500).Select(i => SampleDecisions.Create(i)).ToArray();
        await Task.WhenAll(decisions.Select(d => Task.Run(() => store.SaveAsync(d, CancellationToken.None))));

        Assert.Equal(500, store.Count());
        Assert.All(decisions, d => Assert.NotNull(store.Find(d.DecisionId)));
        var report = store.VerifyAuditChain();
        Assert.True(report.Intact, report.Problem);
        Assert.Equal(500, report.LinksVerified);
    }

    [Fact]
    public async Task SaveAsync_SequentialSaves_EachAcknowledgedOnlyAfterAJournalFsyncOfARecordHoldingIt()
    {
        const int Saves = 20;
        using var recorder = new FileSyncRecorder();
        var store = recorder.Open(_dir.Path);
        var decisions = Enumerable.Range(1, Saves).Select(i => SampleDecisions.Create(i)).ToArray();
        foreach (var decision in decisions)
        {
            await store.SaveAsync(decision, CancellationToken.None);
            recorder.Acknowledged(decision.DecisionId);
        }

        var entries = recorder.Entries;
        foreach (var decision in decisions)
        {
            AssertJournalFsyncBeforeAcknowledgement(recorder, entries, decision.DecisionId);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SaveAsync_DurableOrNot_FsyncsOnlyWhenDurableAndKeepsEveryDecisionAcrossAReopen(bool durable)
    {
        const int Saves = 20;
        var synced = 0;
        var settings = new DecisionStoreSettings { DataDirectory = _dir.Path, Durable = durable, OnFileSynced = _ => Interlocked.Increment(ref synced) };
        var decisions = Enumerable.Range(1, Saves).Select(i => SampleDecisions.Create(i)).ToArray();
        using (var store = LiteDecisionStore.Open(settings, NullLogger.Instance))
        {
            foreach (var decision in decisions)
            {
                await store.SaveAsync(decision, CancellationToken.None);
            }

            // durable: at least one fsync (the journal's) per sequential save; not durable (benchmarks only): none at all
            Assert.True(durable ? synced >= Saves : synced == 0, $"{synced} fsyncs for {Saves} sequential saves (durable: {durable})");
        }

        using var reopened = LiteDecisionStore.Open(settings with { OnFileSynced = null }, NullLogger.Instance);
        Assert.All(decisions, d => Assert.NotNull(reopened.Find(d.DecisionId)));
        Assert.True(reopened.VerifyAuditChain().Problem is null);
    }

    [Fact]
    public async Task SaveAsync_TheApplierGathersBatchesForACommit_WaitingWithoutSpinning()
    {
        // Monitor.Wait truncates a TimeSpan to whole milliseconds: waiting out the gathering's last fraction of a
        // millisecond returned at once, and the applier spun through it — hundreds of waits per commit, a third of a core
        // at one client. Now each wait is whole milliseconds, rounded up: one or two wake-ups for the deadline.
        const int Saves = 10;
        var settings = new DecisionStoreSettings { DataDirectory = _dir.Path, ApplyDelay = TimeSpan.FromMilliseconds(20) };
        using var store = LiteDecisionStore.Open(settings, NullLogger.Instance);
        for (var i = 1; i <= Saves; i++)
        {
            await store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None);
        }

        Assert.Equal(Saves, store.Count()); // waits until the applier committed them
        Assert.InRange(store.GatherWaits, 1, 3 * Saves);
    }

    [Fact]
    public async Task SaveAsync_BatchesJournaledWhileTheApplierGathers_DoNotWakeIt()
    {
        // the first batch of a gathering wakes the applier; the ones after it only join the gathering (a pulse for each
        // woke the applier to wait again: about one context switch per decision at one client)
        const int Saves = 10;
        var settings = new DecisionStoreSettings { DataDirectory = _dir.Path, ApplyDelay = TimeSpan.FromSeconds(2) };
        using var store = LiteDecisionStore.Open(settings, NullLogger.Instance);
        for (var i = 1; i <= Saves; i++)
        {
            await store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None);
        }

        Assert.Equal(Saves, store.Count()); // waits until the applier committed them, after its gathering
        Assert.InRange(store.GatherWaits, 1, 3);
    }

    [Fact]
    public async Task SaveAsync_ConcurrentSaves_EachAcknowledgedOnlyAfterAJournalFsyncOfARecordHoldingIt()
    {
        const int Saves = 200;
        using var recorder = new FileSyncRecorder();
        var store = recorder.Open(_dir.Path);
        var decisions = Enumerable.Range(1, Saves).Select(i => SampleDecisions.Create(i)).ToArray();
        await Task.WhenAll(decisions.Select(d => Task.Run(async () =>
        {
            await store.SaveAsync(d, CancellationToken.None);
            recorder.Acknowledged(d.DecisionId);
        })));

        var entries = recorder.Entries;
        foreach (var decision in decisions)
        {
            AssertJournalFsyncBeforeAcknowledgement(recorder, entries, decision.DecisionId);
        }
    }

    [Fact]
    public async Task SaveAsync_LogGrowsToACheckpoint_TheWholeLogFsyncedBeforeTheDataFileAndTheDataFileBeforeTheLogIsEmptied()
    {
        // LiteDB copies the log into the data file once the log passes CheckpointPages, then empties the log. The copy
        // must be on disk before that, or a power cut right after would lose every decision the log held; and the log,
        // fsynced only now and then since the journal makes decisions durable, must be on disk in full before the data
        // file is written, or a copy cut short by a power cut could not be finished from it.
        const int MaxSaves = 5000;
        using var recorder = new FileSyncRecorder();
        var store = recorder.Open(_dir.Path, countCommitted: false);
        for (var i = 1; i <= MaxSaves && LogEmptied(recorder) < 0; i++)
        {
            await store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None);
        }

        var entries = recorder.Entries;
        var emptied = LogEmptied(recorder);
        Assert.True(emptied >= 0, $"the log was never emptied in {MaxSaves} saves: no checkpoint to check");
        var full = entries.Take(emptied).Select((e, i) => (e, i)).Last(x => x.e.SyncedFile == recorder.LogPath).i;
        var checkpoint = entries.Skip(full + 1).Take(emptied - full - 1).ToArray();
        Assert.Contains(checkpoint, e => e.SyncedFile == recorder.DataPath && e.LogBytes == entries[full].LogBytes);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SaveAsync_ALoneDecision_AnsweredOnTheWriterThreadOnlyWhenTheSettingsSaySo(bool onWriter)
    {
        using var fsynced = new SemaphoreSlim(0);
        using var store = OpenHeldAtEachJournalFsync(onWriter, fsynced);
        for (var i = 0; i < 5; i++)
        {
            var answeredOn = AfterSave(store, SampleDecisions.Create(i), () => Thread.CurrentThread.Name);
            fsynced.Release(); // the caller waits: the writer may go on
            Assert.Equal(onWriter, await answeredOn == WriterThread);
        }

        Assert.Equal(5, store.Count());
    }

    [Fact]
    public async Task SaveAsync_DecisionsCommittedTogether_AnsweredOnThePoolNotOneAfterAnotherOnTheWriter()
    {
        using var release = new ManualResetEventSlim();
        var hold = 1; // the writer's first journal fsync waits until the others are queued behind it
        var settings = new DecisionStoreSettings
        {
            DataDirectory = _dir.Path,
            AnswerLoneDecisionOnWriter = true,
            OnFileSynced = _ =>
            {
                if (Thread.CurrentThread.Name == WriterThread && Interlocked.Exchange(ref hold, 0) == 1)
                {
                    release.Wait(TimeSpan.FromSeconds(30));
                }
            },
        };
        using var store = LiteDecisionStore.Open(settings, NullLogger.Instance);

        Task<string?> AnsweredOn(int i) => AfterSave(store, SampleDecisions.Create(i), () => Thread.CurrentThread.Name);

        var first = AnsweredOn(0);
        while (Volatile.Read(ref hold) == 1)
        {
            await Task.Delay(5); // the writer holds the first in its fsync
        }

        var together = Enumerable.Range(1, 10).Select(AnsweredOn).ToArray();
        release.Set();

        Assert.Equal(WriterThread, await first);
        Assert.All(await Task.WhenAll(together), thread => Assert.NotEqual(WriterThread, thread));
        Assert.Equal(11, store.Count());
    }

    [Fact]
    public async Task Acknowledge_FromAContinuationOnTheWriter_RefusedInsteadOfWaitingForItself()
    {
        using var fsynced = new SemaphoreSlim(0);
        using var store = OpenHeldAtEachJournalFsync(true, fsynced);
        var decision = SampleDecisions.Create(1);
        var sequence = 0L;
        var continuation = AfterSave(store, decision, () =>
        {
            sequence = store.Peek(1).Single().Sequence;
            return (Thread.CurrentThread.Name, Record.Exception(() => store.Acknowledge([sequence])), Record.Exception(store.Dispose));
        });
        fsynced.Release(); // the caller waits: the writer may go on
        var (answeredOn, acknowledge, dispose) = await continuation;
        fsynced.Release(int.MaxValue / 2); // nothing held from here

        Assert.Equal(WriterThread, answeredOn);
        Assert.IsType<InvalidOperationException>(acknowledge);
        Assert.IsType<InvalidOperationException>(dispose);
        Assert.Contains("writer thread", acknowledge.Message);
        Assert.Contains("writer thread", dispose.Message);
        Assert.Equal(1, store.Depth);
        await Task.Run(() => store.Acknowledge([sequence])); // from another thread: done
        Assert.Equal(0, store.Depth);
        Assert.Equal(decision.DecisionId, store.Find(decision.DecisionId)!.DecisionId);
    }

    [Fact]
    public void Open_SecondStoreOnSameDirectory_RefusedWithClearMessage()
    {
        using var first = CreateSut();
        var ex = Assert.Throws<StorageException>(CreateSut);
        Assert.Contains("in use by another CreditEdge process", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"pid {Environment.ProcessId}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_WrongKeyFile_RefusedWithClearErrorAndDataUntouched()
    {
        var decision = SampleDecisions.Create(1);
        using (var store = CreateSut())
        {
            await store.SaveAsync(decision, CancellationToken.None);
        }

        var dbPath = _dir.Combine(DecisionStoreSettings.DatabaseFile);
        var bytesBefore = await File.ReadAllBytesAsync(dbPath);
        var otherKey = _dir.Combine("other.key");
        var other = new DecisionStoreSettings { DataDirectory = _dir.Path, KeyFile = otherKey };
        File.Delete(_dir.Combine("creditedge.lock"));
        await File.WriteAllTextAsync(otherKey, Convert.ToBase64String(new byte[32]));
        File.SetUnixFileMode(otherKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var ex = Assert.Throws<StorageException>(() => LiteDecisionStore.Open(other, NullLogger.Instance));
        Assert.Contains("does not open", ex.Message, StringComparison.Ordinal);
        Assert.Contains("other.key", ex.Message, StringComparison.Ordinal);
        Assert.Equal(bytesBefore, await File.ReadAllBytesAsync(dbPath));

        using var reopened = CreateSut();
        Assert.NotNull(reopened.Find(decision.DecisionId));
    }

    [Fact]
    public async Task Open_KeyFileMissingForExistingStore_RefusedAndNoNewKeyWritten()
    {
        using (var store = CreateSut())
        {
            await store.SaveAsync(SampleDecisions.Create(1), CancellationToken.None);
        }

        var keyPath = _dir.Combine(DecisionStoreSettings.DefaultKeyFile);
        File.Move(keyPath, keyPath + ".bak");

        var ex = Assert.Throws<StorageException>(CreateSut);
        Assert.Contains("key file", ex.Message, StringComparison.Ordinal);
        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(keyPath));
    }

    [Fact]
    public void Open_FirstStart_CreatesKeyFileReadableByOwnerOnly()
    {
        using var store = CreateSut();
        var mode = File.GetUnixFileMode(_dir.Combine(DecisionStoreSettings.DefaultKeyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public void Open_KeyFileReadableByOthers_Refused()
    {
        using (CreateSut())
        {
        }

        var keyPath = _dir.Combine(DecisionStoreSettings.DefaultKeyFile);
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var ex = Assert.Throws<StorageException>(CreateSut);
        Assert.Contains("chmod 600", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task File_OpenedWithoutPassword_IsEncrypted()
    {
        using (var store = CreateSut())
        {
            await store.SaveAsync(SampleDecisions.Create(1), CancellationToken.None);
        }

        var bytes = await File.ReadAllBytesAsync(_dir.Combine(DecisionStoreSettings.DatabaseFile));
        var logBytes = File.Exists(_dir.Combine(DecisionStoreSettings.LogFile)) ? await File.ReadAllBytesAsync(_dir.Combine(DecisionStoreSettings.LogFile)) : [];
        var text = System.Text.Encoding.UTF8.GetString([.. bytes, .. logBytes]);
        Assert.DoesNotContain("taiwan-credit", text, StringComparison.Ordinal);
        Assert.DoesNotContain("PAYMENTDELAY_1", text, StringComparison.Ordinal);
        Assert.Throws<LiteException>(() => new LiteDatabase($"Filename={_dir.Combine(DecisionStoreSettings.DatabaseFile)};Connection=direct").GetCollectionNames().ToList());
    }

    [Fact]
    public async Task VerifyAuditChain_DecisionAlteredOnDisk_ReportsTheLink()
    {
        var decisions = Enumerable.Range(0, 5).Select(i => SampleDecisions.Create(i)).ToArray();
        using (var writer = CreateSut())
        {
            foreach (var d in decisions)
            {
                await writer.SaveAsync(d, CancellationToken.None);
            }
        }

        // behind the store's back, the way an attacker holding the key would: LiteDB opened directly on the file
        var password = File.ReadAllText(_dir.Combine(DecisionStoreSettings.DefaultKeyFile)).Trim();
        using (var db = new LiteDatabase(new ConnectionString { Filename = _dir.Combine(DecisionStoreSettings.DatabaseFile), Password = password }))
        {
            var stored = db.GetCollection("decisions");
            var doc = stored.FindById(decisions[2].DecisionId);
            doc["z"] = DecisionCompression.Compress(StoredDocuments.DecisionJson(doc)!.Replace("\"score\":", "\"score\":1", StringComparison.Ordinal));
            stored.Update(doc);
        }

        using var store = CreateSut();
        var report = store.VerifyAuditChain();
        Assert.False(report.Intact);
        Assert.Equal(2, report.LinksVerified);
        Assert.Contains(decisions[2].DecisionId, report.Problem, StringComparison.Ordinal);
    }

    /// <summary>Before the decision was acknowledged, an fsync of the journal returned with a record holding it on the disk.</summary>
    private static void AssertJournalFsyncBeforeAcknowledgement(FileSyncRecorder recorder, IReadOnlyList<FileSyncRecorder.Entry> entries, string decisionId)
    {
        var acknowledged = entries.Select((e, i) => (e, i)).Single(x => x.e.AcknowledgedDecisionId == decisionId).i;
        Assert.True(
            entries.Take(acknowledged).Any(e => recorder.IsJournal(e.SyncedFile) && e.JournaledDecisions?.Contains(decisionId) == true),
            $"decision {decisionId} was acknowledged before any fsync of the journal with a record holding it");
    }

    /// <summary>
    /// Index of the first fsync (of any file: the journal starts over right after the log is emptied) that saw a shorter
    /// log than the fsync before it; -1 if none yet.
    /// </summary>
    private static int LogEmptied(FileSyncRecorder recorder)
    {
        long previous = -1;
        var entries = recorder.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].SyncedFile is null)
            {
                continue;
            }

            if (entries[i].LogBytes < previous)
            {
                return i;
            }

            previous = entries[i].LogBytes;
        }

        return -1;
    }

    /// <summary>
    /// Runs <paramref name="then"/> in the continuation of the save, on whatever thread the store answered it; the test
    /// goes on from the thread pool (a test that went on on the writer could not dispose the store).
    /// </summary>
    private static async Task<T> AfterSave<T>(LiteDecisionStore store, Decision decision, Func<T> then)
    {
        await store.SaveAsync(decision, CancellationToken.None).ConfigureAwait(false);
        var result = then();
        await Task.Yield();
        return result;
    }

    /// <summary>
    /// A store whose writer waits at each journal fsync for <paramref name="proceed"/>: a test lets it go on once the
    /// caller waits for the save (else the save may be answered before the caller awaits it, and the caller's own thread
    /// goes on).
    /// </summary>
    private LiteDecisionStore OpenHeldAtEachJournalFsync(bool answerLoneDecisionOnWriter, SemaphoreSlim proceed) =>
        LiteDecisionStore.Open(
            new DecisionStoreSettings
            {
                DataDirectory = _dir.Path,
                AnswerLoneDecisionOnWriter = answerLoneDecisionOnWriter,
                OnFileSynced = path =>
                {
                    if (Thread.CurrentThread.Name == WriterThread && Path.GetFileName(path).StartsWith(DecisionStoreSettings.JournalFile, StringComparison.Ordinal))
                    {
                        Assert.True(proceed.Wait(TimeSpan.FromSeconds(30)), "the test never let the writer go on");
                    }
                },
            },
            NullLogger.Instance);

    private LiteDecisionStore CreateSut() =>
        LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _dir.Path }, NullLogger.Instance);
}
