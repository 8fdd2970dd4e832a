using CreditEdge.Agent.Options;
using CreditEdge.Agent.Retention;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CreditEdge.Agent.Tests;

/// <summary>The agent's retention pass: at start and every interval, synced decisions older than RetentionDays go.</summary>
public sealed class RetentionServiceTests : IDisposable
{
    private static readonly DateTimeOffset Day0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new("retention-service");
    private readonly LiteDecisionStore _store;

    public RetentionServiceTests()
    {
        _store = LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _dir.Path }, NullLogger.Instance);
    }

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Run_AtStartThenEachInterval_DeletesSyncedDecisionsAsTheyComeDue()
    {
        for (var day = 1; day <= 10; day++)
        {
            await _store.SaveAsync(SampleDecisions.Create(day, at: Day0.AddDays(day)), CancellationToken.None);
        }

        _store.Acknowledge(_store.Peek(8).Select(r => r.Sequence).ToList()); // days 1…8 reached the broker
        var time = new FakeTimeProvider(Day0.AddDays(35)); // 30 days back: day 5, 00:00 (day 5 itself is not older)
        using var sut = CreateSut(time, retentionDays: 30);

        await sut.StartAsync(CancellationToken.None);
        await Eventually.HoldsAsync(() => _store.Count() == 6, TimeSpan.FromSeconds(10), "the pass at start deletes days 1…4");
        Assert.Equal(4, sut.Deleted);

        time.Advance(TimeSpan.FromDays(1)); // interval ticks; cutoff day 6
        await Eventually.HoldsAsync(() => _store.Count() == 5, TimeSpan.FromSeconds(10), "the next pass deletes day 5");

        time.Advance(TimeSpan.FromDays(5)); // cutoff day 11: days 6…8 are due, 9 and 10 are not synced
        await Eventually.HoldsAsync(() => _store.Count() == 2, TimeSpan.FromSeconds(10), "days 9 and 10 wait for the broker");
        await sut.StopAsync(CancellationToken.None);

        var report = _store.VerifyAuditChain();
        Assert.True(report.Intact, report.Problem);
        Assert.Equal(8, report.DeletedThrough);
        Assert.Equal(8, sut.Deleted);
    }

    [Fact]
    public async Task Run_RetentionDaysZero_KeepsEverything()
    {
        await _store.SaveAsync(SampleDecisions.Create(1, at: Day0), CancellationToken.None);
        _store.Acknowledge(_store.Peek(1).Select(r => r.Sequence).ToList());
        var time = new FakeTimeProvider(Day0.AddYears(5));
        using var sut = CreateSut(time, retentionDays: 0);

        await sut.StartAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromDays(3));
        await sut.StopAsync(CancellationToken.None);

        Assert.Equal(1, _store.Count());
    }

    private RetentionService CreateSut(TimeProvider time, int retentionDays) =>
        new(_store, Microsoft.Extensions.Options.Options.Create(new StorageOptions { RetentionDays = retentionDays, RetentionInterval = TimeSpan.FromHours(1) }), time, NullLogger<RetentionService>.Instance);
}
