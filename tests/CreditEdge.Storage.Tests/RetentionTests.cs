using CreditEdge.Storage;
using CreditEdge.TestKit;
using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Storage.Tests;

/// <summary>Retention deletes old decisions only after the broker acknowledged them, and the audit chain verifies across it.</summary>
public sealed class RetentionTests : IDisposable
{
    private static readonly DateTimeOffset Day0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new("retention");

    public void Dispose() => _dir.Dispose();

    /// <summary>Decision n made on day n (1-based), idempotency key "k-n"; returns them in chain order.</summary>
    private static async Task<List<CreditEdge.Core.Decisions.Decision>> SaveDailyAsync(LiteDecisionStore store, int count)
    {
        var saved = new List<CreditEdge.Core.Decisions.Decision>();
        for (var n = 1; n <= count; n++)
        {
            saved.Add(await store.SaveAsync(SampleDecisions.Create(n, $"k-{n}", Day0.AddDays(n)), CancellationToken.None));
        }

        return saved;
    }

    private static void AcknowledgeFirst(LiteDecisionStore store, int count) =>
        store.Acknowledge(store.Peek(count).Select(r => r.Sequence).ToList());

    [Fact]
    public async Task DeleteSyncedBefore_OldAndAcknowledged_DeletedWithKeysAndChainStillVerifies()
    {
        using var store = CreateSut();
        var saved = await SaveDailyAsync(store, 10);
        var headBefore = store.VerifyAuditChain().HeadHash;
        AcknowledgeFirst(store, 8);

        var deleted = store.DeleteSyncedBefore(Day0.AddDays(6), max: 100); // days 1…5 are older than day 6

        Assert.Equal(5, deleted);
        Assert.Equal(5, store.Count());
        Assert.All(saved.Take(5), d => Assert.Null(store.Find(d.DecisionId)));
        Assert.All(saved.Skip(5), d => Assert.NotNull(store.Find(d.DecisionId)));
        Assert.Null(store.FindByIdempotencyKey("k-5"));
        Assert.NotNull(store.FindByIdempotencyKey("k-6"));
        var report = store.VerifyAuditChain();
        Assert.True(report.Intact, report.Problem);
        Assert.Equal(5, report.LinksVerified);
        Assert.Equal(5, report.DeletedThrough);
        Assert.Equal(headBefore, report.HeadHash);
        Assert.Equal("5 links intact (links 6…10; links 1…5 deleted by retention after sync, checkpoint " + report.CheckpointHash + "), head " + headBefore, report.Describe());
    }

    [Fact]
    public async Task DeleteSyncedBefore_OldButNotAcknowledged_KeptUntilTheBrokerAcknowledges()
    {
        using var store = CreateSut();
        await SaveDailyAsync(store, 6);
        AcknowledgeFirst(store, 2);

        Assert.Equal(2, store.DeleteSyncedBefore(Day0.AddDays(100), max: 100));
        Assert.Equal(4, store.Count());
        Assert.Equal(4, store.Depth);

        AcknowledgeFirst(store, 4);
        Assert.Equal(4, store.DeleteSyncedBefore(Day0.AddDays(100), max: 100));
        Assert.Equal(0, store.Count());
        Assert.True(store.VerifyAuditChain().Intact);
    }

    [Fact]
    public async Task DeleteSyncedBefore_AcknowledgedOutOfOrder_StopsAtTheFirstUnacknowledgedLink()
    {
        using var store = CreateSut();
        await SaveDailyAsync(store, 5);
        var records = store.Peek(5);
        store.Acknowledge([records[0].Sequence, records[1].Sequence, records[3].Sequence, records[4].Sequence]);

        Assert.Equal(2, store.DeleteSyncedBefore(Day0.AddDays(100), max: 100));
        Assert.Equal(3, store.Count());
        Assert.Equal(2, store.VerifyAuditChain().DeletedThrough);
    }

    [Fact]
    public async Task DeleteSyncedBefore_InBatchesThenNewDecisions_ChainVerifiesAfterReopen()
    {
        string head;
        using (var store = CreateSut())
        {
            await SaveDailyAsync(store, 30);
            AcknowledgeFirst(store, 30);
            Assert.Equal(7, store.DeleteSyncedBefore(Day0.AddDays(21), max: 7));
            Assert.Equal(7, store.DeleteSyncedBefore(Day0.AddDays(21), max: 7));
            Assert.Equal(6, store.DeleteSyncedBefore(Day0.AddDays(21), max: 7));
            Assert.Equal(0, store.DeleteSyncedBefore(Day0.AddDays(21), max: 7));
            await store.SaveAsync(SampleDecisions.Create(31, at: Day0.AddDays(31)), CancellationToken.None);
            head = store.VerifyAuditChain().HeadHash;
        }

        using var reopened = CreateSut();
        var report = reopened.VerifyAuditChain();
        Assert.True(report.Intact, report.Problem);
        Assert.Equal(20, report.DeletedThrough);
        Assert.Equal(11, report.LinksVerified);
        Assert.Equal(head, report.HeadHash);
    }

    [Fact]
    public async Task VerifyAuditChain_CheckpointAlteredAfterRetention_ReportsTheFirstRemainingLink()
    {
        using (var store = CreateSut())
        {
            await SaveDailyAsync(store, 6);
            AcknowledgeFirst(store, 6);
            Assert.Equal(3, store.DeleteSyncedBefore(Day0.AddDays(4), max: 100));
        }

        // what an attacker with the key would do to hide deleting more than retention did: move the checkpoint
        WithRawDatabase(db =>
        {
            var meta = db.GetCollection("meta");
            var checkpoint = meta.FindById("retention-checkpoint");
            checkpoint["hash"] = new string('1', 64);
            meta.Update(checkpoint);
        });

        using var reopened = CreateSut();
        var report = reopened.VerifyAuditChain();
        Assert.False(report.Intact);
        Assert.StartsWith("link 4: previous hash does not match the retention checkpoint (link 3)", report.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAuditChain_DecisionDeletedBehindRetentionsBack_Reported()
    {
        using (var store = CreateSut())
        {
            await SaveDailyAsync(store, 6);
            AcknowledgeFirst(store, 6);
            Assert.Equal(2, store.DeleteSyncedBefore(Day0.AddDays(3), max: 100));
        }

        // a link and its decision removed in the middle, with no checkpoint for it
        WithRawDatabase(db =>
        {
            Assert.Equal(1, db.GetCollection("decisions").DeleteMany(Query.EQ("seq", 4))); // a decision is its own link
        });

        using var reopened = CreateSut();
        var report = reopened.VerifyAuditChain();
        Assert.Equal("link 4 is missing (next stored link is 5)", report.Problem);
        Assert.Equal(1, report.LinksVerified);
    }

    private void WithRawDatabase(Action<LiteDatabase> change)
    {
        var password = File.ReadAllText(_dir.Combine(DecisionStoreSettings.DefaultKeyFile)).Trim();
        using var db = new LiteDatabase(new ConnectionString { Filename = _dir.Combine(DecisionStoreSettings.DatabaseFile), Password = password });
        change(db);
    }

    private LiteDecisionStore CreateSut() =>
        LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _dir.Path }, NullLogger.Instance);
}
