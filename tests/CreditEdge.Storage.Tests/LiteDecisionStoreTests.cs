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
    public async Task SaveAsync_WhenAcknowledged_LogFileHoldsTheCommit()
    {
        // The acknowledgement comes after the writer's fsync; the bytes are in the file, not in a process buffer.
        using var store = CreateSut();
        var logPath = _dir.Combine(DecisionStoreSettings.LogFile);
        var before = new FileInfo(logPath).Length;
        await store.SaveAsync(SampleDecisions.Create(1), CancellationToken.None);

        Assert.True(new FileInfo(logPath).Length > before);
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
        using var store = CreateSut();
        foreach (var d in decisions)
        {
            await store.SaveAsync(d, CancellationToken.None);
        }

        store.TamperForTest(decisions[2].DecisionId, json => json.Replace("\"score\":", "\"score\":1", StringComparison.Ordinal));

        var report = store.VerifyAuditChain();
        Assert.False(report.Intact);
        Assert.Equal(2, report.LinksVerified);
        Assert.Contains(decisions[2].DecisionId, report.Problem, StringComparison.Ordinal);
    }

    private LiteDecisionStore CreateSut() =>
        LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _dir.Path }, NullLogger.Instance);
}
