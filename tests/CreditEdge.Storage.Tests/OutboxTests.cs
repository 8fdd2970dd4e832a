using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Storage.Tests;

public sealed class OutboxTests : IDisposable
{
    private readonly TempDirectory _dir = new("outbox");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Peek_AfterSaves_ReturnsOldestFirstWithDecisionJson()
    {
        using var store = CreateSut();
        var decisions = Enumerable.Range(0, 10).Select(i => SampleDecisions.Create(i)).ToArray();
        foreach (var d in decisions)
        {
            await store.SaveAsync(d, CancellationToken.None);
        }

        var records = store.Peek(4);

        Assert.Equal(10, store.Depth);
        Assert.Equal(decisions.Take(4).Select(d => d.DecisionId), records.Select(r => r.DecisionId));
        Assert.True(records.Select(r => r.Sequence).SequenceEqual(records.Select(r => r.Sequence).Order()));
        Assert.Contains(decisions[0].DecisionId, records[0].Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acknowledge_SomeRecords_OnlyThoseLeaveAndDepthSurvivesRestart()
    {
        using (var store = CreateSut())
        {
            for (var i = 0; i < 10; i++)
            {
                await store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None);
            }

            store.Acknowledge(store.Peek(3).Select(r => r.Sequence).ToArray());
            Assert.Equal(7, store.Depth);
        }

        using var reopened = CreateSut();
        Assert.Equal(7, reopened.Depth);
        Assert.Equal(10, reopened.Count()); // decisions stay; only their outbox records left
        Assert.StartsWith("d-000003", reopened.Peek(1)[0].DecisionId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAsync_OutboxFull_RefusesNewDecisionsAndKeepsAllStoredOnes()
    {
        using var store = CreateSut(maxOutbox: 5);
        for (var i = 0; i < 5; i++)
        {
            await store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None);
        }

        Assert.True(store.IsOutboxFull);
        var refused = SampleDecisions.Create(99);
        var ex = await Assert.ThrowsAsync<OutboxFullException>(() => store.SaveAsync(refused, CancellationToken.None));
        Assert.Contains("outbox holds 5", ex.Message, StringComparison.Ordinal);
        Assert.Null(store.Find(refused.DecisionId));
        Assert.Equal(5, store.Depth);
        Assert.True(store.VerifyAuditChain().Intact);

        store.Acknowledge([store.Peek(1)[0].Sequence]);
        Assert.False(store.IsOutboxFull);
        await store.SaveAsync(refused, CancellationToken.None);
        Assert.NotNull(store.Find(refused.DecisionId));
    }

    [Fact]
    public async Task RecordsAdded_AfterCommit_Raised()
    {
        using var store = CreateSut();
        var raised = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.RecordsAdded += () => raised.TrySetResult();
        await store.SaveAsync(SampleDecisions.Create(1), CancellationToken.None);
        await raised.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private LiteDecisionStore CreateSut(long maxOutbox = 500_000) =>
        LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _dir.Path, MaxOutbox = maxOutbox }, NullLogger.Instance);
}
