using CreditEdge.Core.Decisions;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Storage.Tests;

public sealed class LiteDecisionStoreTests : IDisposable
{
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
    public async Task SaveAsync_SequentialSaves_EachAcknowledgedOnlyAfterALogFsyncThatFollowsItsCommit()
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

        // save n is the n-th decision: an fsync of the log that saw n decisions committed came after its commit
        var entries = recorder.Entries;
        for (var n = 1; n <= Saves; n++)
        {
            AssertLogFsyncBeforeAcknowledgement(recorder, entries, decisions[n - 1].DecisionId, committedAtLeast: n);
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

            // durable: at least one log fsync per sequential save; not durable (benchmarks only): none at all
            Assert.True(durable ? synced >= Saves : synced == 0, $"{synced} fsyncs for {Saves} sequential saves (durable: {durable})");
        }

        using var reopened = LiteDecisionStore.Open(settings with { OnFileSynced = null }, NullLogger.Instance);
        Assert.All(decisions, d => Assert.NotNull(reopened.Find(d.DecisionId)));
        Assert.True(reopened.VerifyAuditChain().Problem is null);
    }

    [Fact]
    public async Task SaveAsync_ConcurrentSaves_EachAcknowledgedOnlyAfterALogFsyncThatFollowsItsCommit()
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

        // the outbox sequence is the decision's place in commit order: once it is committed, at least that many are
        var sequences = store.Peek(Saves).ToDictionary(r => r.DecisionId, r => r.Sequence);
        Assert.Equal(Saves, sequences.Count);
        var entries = recorder.Entries;
        foreach (var decision in decisions)
        {
            AssertLogFsyncBeforeAcknowledgement(recorder, entries, decision.DecisionId, committedAtLeast: sequences[decision.DecisionId]);
        }
    }

    [Fact]
    public async Task SaveAsync_LogGrowsToACheckpoint_DataFileFsyncedBeforeTheLogIsEmptied()
    {
        // LiteDB copies the log into the data file once the log passes 1000 pages (8 MB), then empties the log; the copy
        // must be on disk before that, or a power cut right after would lose every decision the log held.
        const int MaxSaves = 5000;
        using var recorder = new FileSyncRecorder();
        var store = recorder.Open(_dir.Path);
        for (var i = 1; i <= MaxSaves && LogEmptied(recorder) < 0; i++)
        {
            await store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None);
        }

        var entries = recorder.Entries;
        var emptied = LogEmptied(recorder);
        Assert.True(emptied >= 0, $"the log was never emptied in {MaxSaves} saves: no checkpoint to check");
        var full = entries.Take(emptied).Select((e, i) => (e, i)).Last(x => x.e.SyncedFile == recorder.LogPath).i;
        var checkpoint = entries.Skip(full + 1).Take(emptied - full - 1).ToArray();
        Assert.Contains(checkpoint, e => e.SyncedFile == recorder.DataPath && e.LogBytes >= entries[full].LogBytes);
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

    private static void AssertLogFsyncBeforeAcknowledgement(FileSyncRecorder recorder, IReadOnlyList<FileSyncRecorder.Entry> entries, string decisionId, long committedAtLeast)
    {
        var acknowledged = entries.Select((e, i) => (e, i)).Single(x => x.e.AcknowledgedDecisionId == decisionId).i;
        Assert.True(
            entries.Take(acknowledged).Any(e => e.SyncedFile == recorder.LogPath && e.CommittedDecisions >= committedAtLeast),
            $"decision {decisionId} was acknowledged with no fsync of the log after its commit (it needed {committedAtLeast} committed decisions)");
    }

    /// <summary>Index of the first log fsync that saw a shorter log than the log fsync before it; -1 if none yet.</summary>
    private static int LogEmptied(FileSyncRecorder recorder)
    {
        long previous = -1;
        var entries = recorder.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].SyncedFile != recorder.LogPath)
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

    private LiteDecisionStore CreateSut() =>
        LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _dir.Path }, NullLogger.Instance);
}
