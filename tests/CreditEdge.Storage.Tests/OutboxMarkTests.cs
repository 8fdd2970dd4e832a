using CreditEdge.Core.Audit;
using CreditEdge.TestKit;
using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Storage.Tests;

/// <summary>The outbox as a mark over the chain (<see cref="OutboxMark"/>): what waits, what is acknowledged, across restarts and layouts.</summary>
public sealed class OutboxMarkTests : IDisposable
{
    private static readonly DateTimeOffset Day0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new("outbox-mark");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Acknowledge_OutOfOrderAcrossEvents_OnlyThoseLeaveAndTheRestWaitsInOrderAfterARestart()
    {
        var ids = new List<string>();
        using (var store = Open())
        {
            for (var i = 0; i < 8; i++)
            {
                var decision = SampleDecisions.Create(i);
                ids.Add(decision.DecisionId);
                await store.SaveAsync(decision, CancellationToken.None);
                if (i % 3 == 1)
                {
                    await store.AppendEventAsync(new AuditEvent("tamper-opened", Day0, $"event after decision {i}"), CancellationToken.None);
                }
            }

            var waiting = store.Peek(100);
            Assert.Equal(ids, waiting.Select(r => r.DecisionId));

            // the broker acknowledges 2, 5 and 7 first, then 0 and 1 (a repeat and a stray sequence change nothing)
            store.Acknowledge([waiting[2].Sequence, waiting[5].Sequence, waiting[7].Sequence]);
            store.Acknowledge([waiting[0].Sequence, waiting[1].Sequence, waiting[2].Sequence, 9_999]);
            Assert.Equal(3, store.Depth);
            Assert.Equal([ids[3], ids[4], ids[6]], store.Peek(100).Select(r => r.DecisionId));
        }

        using (var store = Open())
        {
            Assert.Equal(3, store.Depth);
            Assert.Equal([ids[3], ids[4], ids[6]], store.Peek(100).Select(r => r.DecisionId));
            Assert.Equal([ids[3]], store.Peek(1).Select(r => r.DecisionId));
            store.Acknowledge([.. store.Peek(100).Select(r => r.Sequence)]);
            Assert.Equal(0, store.Depth);
            Assert.Empty(store.Peek(100));
            Assert.True(store.VerifyAuditChain().Intact);
        }

        using var reopened = Open();
        Assert.Equal(0, reopened.Depth);
        Assert.Equal(8, reopened.Count()); // decisions stay; only the outbox moved past them
    }

    [Fact]
    public async Task DeleteSyncedBefore_AcknowledgedOutOfOrder_DeletesOnlyTheAcknowledgedPrefix()
    {
        using var store = Open();
        for (var i = 0; i < 6; i++)
        {
            await store.SaveAsync(SampleDecisions.Create(i, at: Day0.AddMinutes(i)), CancellationToken.None);
        }

        var waiting = store.Peek(100);
        store.Acknowledge([waiting[0].Sequence, waiting[1].Sequence, waiting[3].Sequence, waiting[4].Sequence]);

        Assert.Equal(2, store.DeleteSyncedBefore(Day0.AddDays(1), 100)); // stops at the third: not acknowledged
        Assert.Equal(4, store.Count());
        Assert.Equal([waiting[2].DecisionId, waiting[5].DecisionId], store.Peek(100).Select(r => r.DecisionId));
        Assert.True(store.VerifyAuditChain().Intact);
    }

    [Fact]
    public async Task SaveAsync_ADecisionCommit_WritesNothingToTheOutboxCollection()
    {
        using (var store = Open())
        {
            for (var i = 0; i < 20; i++)
            {
                await store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None);
            }

            Assert.Equal(20, store.Depth);
        }

        using var db = Raw();
        Assert.Equal(0, db.GetCollection(LiteDecisionStore.Outbox).LongCount());
        var mark = db.GetCollection(LiteDecisionStore.Meta).FindById(OutboxMark.Id);
        Assert.Equal(0L, mark["synced"].AsInt64);
        Assert.True(mark["above"].AsArray.Count == 0, "nothing acknowledged above the mark");
    }

    [Fact]
    public async Task Open_StoreWithOutboxRecordsAndNoMark_SendsThemFirstThenTheNewOnesAndAcknowledgesBoth()
    {
        // the previous release: every waiting decision had a record {_id: seq} in `outbox`, and there was no mark
        var ids = new List<string>();
        using (var store = Open())
        {
            for (var i = 0; i < 10; i++)
            {
                var decision = SampleDecisions.Create(i);
                ids.Add(decision.DecisionId);
                await store.SaveAsync(decision, CancellationToken.None);
            }
        }

        using (var db = Raw())
        {
            db.GetCollection(LiteDecisionStore.Meta).Delete(OutboxMark.Id);
            foreach (var sequence in new long[] { 4, 5, 6, 7, 8, 9, 10 }) // 1–3 were acknowledged under that release
            {
                db.GetCollection(LiteDecisionStore.Outbox).Insert(new BsonDocument { ["_id"] = sequence });
            }
        }

        using (var store = Open())
        {
            Assert.Equal(7, store.Depth);
            Assert.Equal(ids[3..], store.Peek(100).Select(r => r.DecisionId));
            for (var i = 10; i < 15; i++)
            {
                var decision = SampleDecisions.Create(i);
                ids.Add(decision.DecisionId);
                await store.SaveAsync(decision, CancellationToken.None);
            }

            Assert.Equal(12, store.Depth);
            Assert.Equal(ids[3..], store.Peek(100).Select(r => r.DecisionId));
            store.Acknowledge([5, 9, 12, 14]); // two old records, two new decisions
            Assert.Equal(8, store.Depth);
        }

        using var reopened = Open();
        Assert.Equal(8, reopened.Depth);
        Assert.Equal(
            [ids[3], ids[5], ids[6], ids[7], ids[9], ids[10], ids[12], ids[14]],
            reopened.Peek(100).Select(r => r.DecisionId));
        Assert.True(reopened.VerifyAuditChain().Intact);
    }

    [Fact]
    public async Task SaveAsync_OneDecisionPerCommit_WritesAtMostSixLogPages()
    {
        // measured: 7.7 pages with an outbox record per decision, 5.3 with the mark; the log is 8 KiB pages, checkpointed
        // only past CheckpointPages, which this test keeps out of reach
        var settings = new DecisionStoreSettings { DataDirectory = _dir.Path, Durable = false, CheckpointPages = 100_000 };
        var log = _dir.Combine(DecisionStoreSettings.LogFile);
        using var store = LiteDecisionStore.Open(settings, NullLogger.Instance);
        await store.SaveAsync(SampleDecisions.Create(0), CancellationToken.None);
        var before = new FileInfo(log).Length;
        const int Commits = 200;
        for (var i = 1; i <= Commits; i++)
        {
            await store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None);
        }

        var pages = (new FileInfo(log).Length - before) / 8192.0 / Commits;
        Assert.True(pages <= 6, $"{pages:F2} log pages per single-decision commit");
    }

    private LiteDecisionStore Open() =>
        LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _dir.Path }, NullLogger.Instance);

    private LiteDatabase Raw()
    {
        var password = File.ReadAllText(_dir.Combine(DecisionStoreSettings.DefaultKeyFile)).Trim();
        return new LiteDatabase(new ConnectionString { Filename = _dir.Combine(DecisionStoreSettings.DatabaseFile), Password = password });
    }
}
