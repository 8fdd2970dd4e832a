using CreditEdge.Core.Audit;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Storage.Tests;

/// <summary>Device events share the decisions' audit chain: in order with them, verified with them, never in the outbox.</summary>
public sealed class AuditEventTests : IDisposable
{
    private static readonly DateTimeOffset Day0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new("events");

    public void Dispose() => _dir.Dispose();

    private static AuditEvent Tamper(DateTimeOffset at, string detail = "enclosure opened (switch 2)") =>
        new("tamper-opened", at, detail, new Dictionary<string, string> { ["switch"] = "2", ["door"] = "front" });

    [Fact]
    public async Task AppendEventAsync_BetweenDecisions_ChainVerifiesWithTheEventInOrder()
    {
        using var store = CreateSut();
        await store.SaveAsync(SampleDecisions.Create(1), CancellationToken.None);
        await store.SaveAsync(SampleDecisions.Create(2), CancellationToken.None);
        var sequence = await store.AppendEventAsync(Tamper(Day0), CancellationToken.None);
        await store.SaveAsync(SampleDecisions.Create(3), CancellationToken.None);

        Assert.Equal(3, sequence);
        var report = store.VerifyAuditChain();
        Assert.True(report.Intact, report.Problem);
        Assert.Equal(4, report.LinksVerified);
        Assert.Equal(1, report.EventsVerified);
        var (listed, e) = Assert.Single(report.LastEvents);
        Assert.Equal(3, listed);
        Assert.Equal(("tamper-opened", Day0, "enclosure opened (switch 2)"), (e.Type, e.At, e.Detail));
        Assert.Equal(["door", "switch"], e.Data!.Keys);
    }

    [Fact]
    public async Task AppendEventAsync_ThenReopen_EventReadableAndChainIntact()
    {
        using (var store = CreateSut())
        {
            await store.SaveAsync(SampleDecisions.Create(1), CancellationToken.None);
            await store.AppendEventAsync(new AuditEvent("tamper-unlocked", Day0, "unlocked by operator op-17", new Dictionary<string, string> { ["operator"] = "op-17" }), CancellationToken.None);
        }

        using var reopened = CreateSut();
        var (sequence, e) = Assert.Single(reopened.ReadEvents(0, 10));
        Assert.Equal(2, sequence);
        Assert.Equal(("tamper-unlocked", Day0, "unlocked by operator op-17", "op-17"), (e.Type, e.At, e.Detail, e.Data!["operator"]));
        var report = reopened.VerifyAuditChain();
        Assert.True(report.Intact, report.Problem);
        Assert.Equal(1, report.EventsVerified);
    }

    [Fact]
    public async Task AppendEventAsync_ConcurrentWithDecisions_EveryLinkVerifiesAndEventsReadInChainOrder()
    {
        using var store = CreateSut();
        var saves = Enumerable.Range(0, 200).Select(i => Task.Run(() => store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None)));
        var appends = Enumerable.Range(0, 20).Select(i => Task.Run(() => store.AppendEventAsync(Tamper(Day0.AddMinutes(i), $"event {i}"), CancellationToken.None))).ToArray();
        await Task.WhenAll([.. saves, .. appends]);

        var report = store.VerifyAuditChain();
        Assert.True(report.Intact, report.Problem);
        Assert.Equal(220, report.LinksVerified);
        Assert.Equal(20, report.EventsVerified);
        var sequences = appends.Select(a => a.Result).Order().ToArray();
        Assert.Equal(sequences, store.ReadEvents(0, 100).Select(r => r.Sequence));
        Assert.Equal(sequences.Skip(10), store.ReadEvents(sequences[9], 100).Select(r => r.Sequence));
        Assert.Equal(sequences.Take(5), store.ReadEvents(0, 5).Select(r => r.Sequence));
    }

    [Fact]
    public async Task VerifyAuditChain_MoreEventsThanListed_CountsAllAndKeepsTheLast()
    {
        using var store = CreateSut();
        for (var i = 1; i <= AuditReport.MaxLastEvents + 10; i++)
        {
            await store.AppendEventAsync(Tamper(Day0.AddMinutes(i), $"event {i}"), CancellationToken.None);
        }

        var report = store.VerifyAuditChain();
        Assert.True(report.Intact, report.Problem);
        Assert.Equal(AuditReport.MaxLastEvents + 10, report.EventsVerified);
        Assert.Equal(Enumerable.Range(11, AuditReport.MaxLastEvents).Select(i => (long)i), report.LastEvents.Select(e => e.Sequence));
        Assert.Equal($"event {AuditReport.MaxLastEvents + 10}", report.LastEvents[^1].Event.Detail);
    }

    [Fact]
    public async Task VerifyAuditChain_EventJsonEditedOnDisk_ReportsTheLink()
    {
        await WriteDecisionsAndEventAsync();

        // what an attacker with the key would do to soften the record: reword the event in its link
        WithRawDatabase(db =>
        {
            var audit = db.GetCollection("audit");
            var link = audit.FindById(3);
            link["event"] = link["event"].AsString.Replace("opened", "closed", StringComparison.Ordinal);
            audit.Update(link);
        });

        using var store = CreateSut();
        var report = store.VerifyAuditChain();
        Assert.False(report.Intact);
        Assert.Equal("link 3: event does not match its recorded hash", report.Problem);
        Assert.Equal(2, report.LinksVerified);
        Assert.Equal(0, report.EventsVerified);
    }

    [Fact]
    public async Task VerifyAuditChain_EventTimeEditedOnDisk_ReportsTheLink()
    {
        await WriteDecisionsAndEventAsync();

        // the link's time is outside the hash and retention deletes by it: moving it back would have the event deleted early
        WithRawDatabase(db =>
        {
            var audit = db.GetCollection("audit");
            var link = audit.FindById(3);
            link["at"] = 0L;
            audit.Update(link);
        });

        using var store = CreateSut();
        Assert.Equal("link 3: the event's time does not match its link's", store.VerifyAuditChain().Problem);
    }

    [Fact]
    public async Task VerifyAuditChain_EventLinkDeleted_ReportsTheMissingLink()
    {
        await WriteDecisionsAndEventAsync();
        WithRawDatabase(db => Assert.True(db.GetCollection("audit").Delete(3)));

        using var store = CreateSut();
        var report = store.VerifyAuditChain();
        Assert.False(report.Intact);
        Assert.Equal("link 3 is missing (next stored link is 4)", report.Problem);
        Assert.Empty(store.ReadEvents(0, 10));
    }

    [Fact]
    public async Task VerifyAuditChain_LastLinkAnEventDeletedWithTheHeadMovedBack_ReportsTheMissingLink()
    {
        await WriteDecisionsAndEventAsync();
        using (var store = CreateSut())
        {
            await store.AppendEventAsync(Tamper(Day0.AddDays(1), "enclosure opened again"), CancellationToken.None);
        }

        // removing the newest link leaves no gap behind it; the chain head still counts it
        WithRawDatabase(db => Assert.True(db.GetCollection("audit").Delete(5)));

        using var reopened = CreateSut();
        var report = reopened.VerifyAuditChain();
        Assert.Equal("the chain head says 5 links; 4 are stored or deleted by retention", report.Problem);
        Assert.Equal(1, report.EventsVerified);
    }

    [Fact]
    public async Task AppendEventAsync_OutboxFull_AcceptedAndNeverInTheOutbox()
    {
        using var store = CreateSut(maxOutbox: 2);
        await store.SaveAsync(SampleDecisions.Create(1), CancellationToken.None);
        await store.AppendEventAsync(Tamper(Day0), CancellationToken.None);
        await store.SaveAsync(SampleDecisions.Create(2), CancellationToken.None);
        Assert.True(store.IsOutboxFull);

        var sequence = await store.AppendEventAsync(Tamper(Day0.AddMinutes(1), "enclosure opened while the link was down"), CancellationToken.None);

        Assert.Equal(4, sequence);
        Assert.Equal(2, store.Depth);
        Assert.Equal([1L, 3L], store.Peek(10).Select(r => r.Sequence));
        Assert.All(store.Peek(10), r => Assert.DoesNotContain("tamper", r.Payload, StringComparison.Ordinal));
        await Assert.ThrowsAsync<OutboxFullException>(() => store.SaveAsync(SampleDecisions.Create(3), CancellationToken.None));
        var report = store.VerifyAuditChain();
        Assert.True(report.Intact, report.Problem);
        Assert.Equal(2, report.EventsVerified);
    }

    [Fact]
    public async Task DeleteSyncedBefore_OldEventInsideTheSyncedPrefix_DeletedWithItAndChainStillVerifies()
    {
        using var store = CreateSut();
        await store.SaveAsync(SampleDecisions.Create(1, "k-1", Day0.AddDays(1)), CancellationToken.None);
        await store.AppendEventAsync(Tamper(Day0.AddDays(2)), CancellationToken.None);
        await store.SaveAsync(SampleDecisions.Create(3, "k-3", Day0.AddDays(3)), CancellationToken.None);
        await store.AppendEventAsync(Tamper(Day0.AddDays(5), "too young"), CancellationToken.None);
        await store.SaveAsync(SampleDecisions.Create(6, "k-6", Day0.AddDays(6)), CancellationToken.None);
        var head = store.VerifyAuditChain().HeadHash;
        store.Acknowledge(store.Peek(10).Select(r => r.Sequence).ToList());

        Assert.Equal(3, store.DeleteSyncedBefore(Day0.AddDays(4), max: 100)); // decision, event, decision; stops at the day-5 event

        Assert.Equal(0, store.DeleteSyncedBefore(Day0.AddDays(4), max: 100));
        Assert.Equal([4L], store.ReadEvents(0, 10).Select(e => e.Sequence));
        Assert.Equal(1, store.Count());
        var report = store.VerifyAuditChain();
        Assert.True(report.Intact, report.Problem);
        Assert.Equal((3L, 2L, 1L, head), (report.DeletedThrough, report.LinksVerified, report.EventsVerified, report.HeadHash));
    }

    [Fact]
    public async Task DeleteSyncedBefore_OldEventAfterAnUnsyncedDecision_Kept()
    {
        using var store = CreateSut();
        await store.SaveAsync(SampleDecisions.Create(1, at: Day0.AddDays(1)), CancellationToken.None);
        await store.AppendEventAsync(Tamper(Day0.AddDays(2)), CancellationToken.None);

        Assert.Equal(0, store.DeleteSyncedBefore(Day0.AddDays(10), max: 100));

        Assert.Single(store.ReadEvents(0, 10));
        store.Acknowledge([store.Peek(1)[0].Sequence]);
        Assert.Equal(2, store.DeleteSyncedBefore(Day0.AddDays(10), max: 100));
        Assert.Empty(store.ReadEvents(0, 10));
        Assert.True(store.VerifyAuditChain().Intact);
    }

    [Fact]
    public async Task Salvage_EventEditedOnDisk_ReportsItBrokenAndTheOthersVerified()
    {
        await WriteDecisionsAndEventAsync();
        using (var store = CreateSut())
        {
            await store.AppendEventAsync(Tamper(Day0.AddDays(1), "enclosure opened again"), CancellationToken.None);
        }

        WithRawDatabase(db =>
        {
            var audit = db.GetCollection("audit");
            var link = audit.FindById(5);
            link["event"] = link["event"].AsString.Replace("again", "by the technician", StringComparison.Ordinal);
            audit.Update(link);
        });

        var salvage = AuditSalvage.Read(_dir.Path, keyFile: null);

        Assert.Equal(4, salvage.LinksVerified);
        Assert.Equal(["link 5: event does not match its recorded hash"], salvage.BrokenLinks);
        var (sequence, e) = Assert.Single(salvage.VerifiedEvents);
        Assert.Equal((3L, "tamper-opened", "enclosure opened (switch 2)"), (sequence, e.Type, e.Detail));
    }

    [Fact]
    public async Task Salvage_DataPageGarbled_ReportsTheEventLinksThatStillVerify()
    {
        var events = new Dictionary<long, string>();
        using (var store = CreateSut())
        {
            for (var i = 1; i <= 300; i++)
            {
                await store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None);
                if (i % 30 == 0)
                {
                    events[await store.AppendEventAsync(Tamper(Day0.AddMinutes(i), $"after decision {i}"), CancellationToken.None)] = $"after decision {i}";
                }
            }
        }

        var dataPath = _dir.Combine(DecisionStoreSettings.DatabaseFile);
        var original = File.ReadAllBytes(dataPath);
        SalvageReport? found = null;
        for (var page = original.Length / 8192 - 1; page > 1 && found is null; page--)
        {
            var damaged = (byte[])original.Clone();
            System.Security.Cryptography.RandomNumberGenerator.Fill(damaged.AsSpan(page * 8192, 8192));
            File.WriteAllBytes(dataPath, damaged);
            var salvage = AuditSalvage.Read(_dir.Path, keyFile: null);
            if (salvage.UnreadableLinks.Count == 1 && salvage.LinksVerified > 0)
            {
                found = salvage;
            }
        }

        Assert.NotNull(found);
        var (from, to) = Assert.Single(found.UnreadableLinks);
        Assert.Empty(found.BrokenLinks);
        Assert.NotEmpty(found.VerifiedEvents);
        Assert.Equal(events.Keys.Where(s => s < from || s > to), found.VerifiedEvents.Select(e => e.Sequence));
        Assert.All(found.VerifiedEvents, e => Assert.Equal(events[e.Sequence], e.Event.Detail));
    }

    /// <summary>Decision, decision, event (link 3), decision.</summary>
    private async Task WriteDecisionsAndEventAsync()
    {
        using var store = CreateSut();
        await store.SaveAsync(SampleDecisions.Create(1), CancellationToken.None);
        await store.SaveAsync(SampleDecisions.Create(2), CancellationToken.None);
        await store.AppendEventAsync(Tamper(Day0), CancellationToken.None);
        await store.SaveAsync(SampleDecisions.Create(3), CancellationToken.None);
    }

    private void WithRawDatabase(Action<LiteDatabase> change)
    {
        var password = File.ReadAllText(_dir.Combine(DecisionStoreSettings.DefaultKeyFile)).Trim();
        using var db = new LiteDatabase(new ConnectionString { Filename = _dir.Combine(DecisionStoreSettings.DatabaseFile), Password = password });
        change(db);
    }

    private LiteDecisionStore CreateSut(long maxOutbox = 500_000) =>
        LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _dir.Path, MaxOutbox = maxOutbox }, NullLogger.Instance);
}
