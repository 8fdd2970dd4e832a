using CreditEdge.Core.Packages;
using CreditEdge.Core.Packages.Rollout;
using CreditEdge.Core.Rollout;
using Microsoft.Extensions.Time.Testing;

namespace CreditEdge.Core.Tests.Rollout;

public sealed class ProbationWatchTests
{
    // scores in two bins: below 500 holds 40 % of the reference, 500 and above 60 %
    private static readonly Histogram Reference = new([500], [0.4, 0.6]);
    private static readonly TimeSpan Duration = TimeSpan.FromHours(24);
    private static readonly TimeSpan Baseline = TimeSpan.FromMilliseconds(10);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private ProbationWatch CreateSut(
        int decisions = 500, double maxPsi = 0.25, double maxErrorRate = 0.01, double maxLatencyRatio = 3.0, Histogram? reference = null, TimeSpan? baseline = null) =>
        new(new ProbationCriteria(decisions, Duration, maxPsi, maxErrorRate, maxLatencyRatio), reference, baseline ?? Baseline, _time);

    private static void Decide(ProbationWatch watch, int score, double milliseconds, int times)
    {
        for (var i = 0; i < times; i++)
        {
            watch.RecordDecision(score, TimeSpan.FromMilliseconds(milliseconds));
        }
    }

    private static void Fail(ProbationWatch watch, int times)
    {
        for (var i = 0; i < times; i++)
        {
            watch.RecordError("ORT threw");
        }
    }

    [Fact]
    public void Check_ScoresInReferenceProportions_PsiZeroWithinLimits()
    {
        var watch = CreateSut(reference: Reference);
        Decide(watch, score: 450, milliseconds: 10, times: 40);
        Decide(watch, score: 550, milliseconds: 10, times: 60);

        var report = watch.Check();

        Assert.Equal(100, report.Decisions);
        Assert.Equal(0, report.ScorePsi!.Value, 12); // 40/60 against 0.4/0.6: every term (a − e)·ln(a/e) is 0
        Assert.False(report.Breached, report.Summary);
        Assert.Null(report.BreachedCheck);
    }

    [Fact]
    public void Check_AllScoresInOneBin_LargePsiBreached()
    {
        var watch = CreateSut(reference: Reference);
        Decide(watch, score: 450, milliseconds: 10, times: 100);

        var report = watch.Check();

        // actual 1 / 0 (floored to 1e-4) against 0.4 / 0.6: (1 − 0.4)·ln(1/0.4) + (0.0001 − 0.6)·ln(0.0001/0.6) ≈ 0.5498 + 5.2188 = 5.7686
        var expected = (0.6 * Math.Log(2.5)) + ((0.0001 - 0.6) * Math.Log(0.0001 / 0.6));
        Assert.Equal(expected, report.ScorePsi!.Value, 9);
        Assert.True(report.Breached);
        Assert.Equal(ProbationChecks.Psi, report.BreachedCheck);
        Assert.StartsWith("probation breached (probation-psi at 100 decisions and 0 errors): ", report.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PsiBelowMinimumSample_ReportedNotJudged()
    {
        var watch = CreateSut(decisions: 500, reference: Reference); // judged from min(100, 500 / 2) = 100
        Decide(watch, score: 450, milliseconds: 10, times: 99);

        var early = watch.Check();
        Assert.True(early.ScorePsi > 0.25);
        Assert.False(early.Breached, early.Summary);

        Decide(watch, score: 450, milliseconds: 10, times: 1);
        Assert.Equal(ProbationChecks.Psi, watch.Check().BreachedCheck);
    }

    [Fact]
    public void Check_NoReference_PsiNullAndNeverBreached()
    {
        var watch = CreateSut(reference: null);
        Decide(watch, score: 450, milliseconds: 10, times: 200);

        var report = watch.Check();

        Assert.Null(report.ScorePsi);
        Assert.False(report.Breached, report.Summary);
        Assert.Contains("score PSI not checked (no reference)", report.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1000, 100)]
    [InlineData(500, 100)]
    [InlineData(100, 50)]
    [InlineData(10, 5)]
    [InlineData(3, 1)]
    [InlineData(1, 1)]
    public void MinJudgedDecisions_Criteria_HalfOfDecisionsCappedAtHundred(int decisions, int expected) =>
        Assert.Equal(expected, CreateSut(decisions: decisions).MinJudgedDecisions);

    [Fact]
    public void Check_OneErrorInTwentyAttempts_ErrorRateJudgedFromTwentyAttempts()
    {
        var watch = CreateSut(maxErrorRate: 0.01);
        Fail(watch, 1);
        Decide(watch, score: 550, milliseconds: 10, times: 18);

        var early = watch.Check(); // 19 attempts: rate 1/19 not judged yet
        Assert.False(early.Breached, early.Summary);

        Decide(watch, score: 550, milliseconds: 10, times: 1);
        var report = watch.Check();

        Assert.Equal(0.05, report.ErrorRate, 15); // 1 / 20
        Assert.Equal(ProbationChecks.Errors, report.BreachedCheck);
    }

    [Fact]
    public void Check_ErrorRateExactlyAtMaximum_WithinLimits()
    {
        var watch = CreateSut(maxErrorRate: 0.1);
        Fail(watch, 1);
        Decide(watch, score: 550, milliseconds: 10, times: 9);
        Fail(watch, 1);
        Decide(watch, score: 550, milliseconds: 10, times: 9);

        var atMaximum = watch.Check();
        Assert.Equal(0.1, atMaximum.ErrorRate); // 2 / 20
        Assert.False(atMaximum.Breached, atMaximum.Summary);

        Fail(watch, 1); // 3 / 21 ≈ 0.143
        Assert.Equal(ProbationChecks.Errors, watch.Check().BreachedCheck);
    }

    [Fact]
    public void Check_FiveErrorsInARow_BreachedAtOnceAndFinal()
    {
        var watch = CreateSut(maxErrorRate: 1);
        Fail(watch, 4);
        Decide(watch, score: 550, milliseconds: 10, times: 1);
        Fail(watch, 4);
        Assert.False(watch.Check().Breached); // never 5 in a row, 9 attempts: rate not judged

        Fail(watch, 1);
        Assert.Equal(ProbationChecks.Errors, watch.Check().BreachedCheck); // 10 attempts, but 5 in a row

        Decide(watch, score: 550, milliseconds: 10, times: 1000);
        var later = watch.Check();
        Assert.True(later.Breached);
        Assert.Equal(ProbationChecks.Errors, later.BreachedCheck);
    }

    [Fact]
    public void Check_PsiBreachThenNormalScores_BreachIsFinal()
    {
        var watch = CreateSut(reference: Reference);
        Decide(watch, score: 450, milliseconds: 10, times: 100);
        Assert.Equal(ProbationChecks.Psi, watch.Check().BreachedCheck);

        Decide(watch, score: 450, milliseconds: 10, times: 3900);
        Decide(watch, score: 550, milliseconds: 10, times: 6000);
        var report = watch.Check();

        Assert.True(report.ScorePsi < 0.25); // 4000 / 6000 of 10,100: now close to the reference
        Assert.Equal(ProbationChecks.Psi, report.BreachedCheck);
    }

    [Fact]
    public void Check_ErrorsAndPsiBothOver_ErrorsNamedFirst()
    {
        var watch = CreateSut(reference: Reference);
        Decide(watch, score: 450, milliseconds: 10, times: 100);
        Fail(watch, 5);

        Assert.Equal(ProbationChecks.Errors, watch.Check().BreachedCheck);
    }

    [Fact]
    public void Check_OneSlowFirstRequest_MedianUnmoved()
    {
        var watch = CreateSut();
        Decide(watch, score: 550, milliseconds: 1000, times: 1);
        Decide(watch, score: 550, milliseconds: 10, times: 99);

        var report = watch.Check();

        Assert.Equal(1.0, report.LatencyRatio); // median of 99 × 10 ms and one 1000 ms is 10 ms; 10 / 10
        Assert.False(report.Breached, report.Summary);
    }

    [Fact]
    public void Check_SlowModel_LatencyBreachedFromMinimumSample()
    {
        var watch = CreateSut(decisions: 500); // judged from 100 decisions
        Decide(watch, score: 550, milliseconds: 40, times: 99);

        var early = watch.Check();
        Assert.Equal(4.0, early.LatencyRatio); // 40 ms / 10 ms
        Assert.False(early.Breached, early.Summary);

        Decide(watch, score: 550, milliseconds: 40, times: 1);
        Assert.Equal(ProbationChecks.Latency, watch.Check().BreachedCheck);
    }

    [Fact]
    public void Check_LatencyExactlyAtMaximum_WithinLimits()
    {
        var watch = CreateSut(maxLatencyRatio: 3);
        Decide(watch, score: 550, milliseconds: 30, times: 100);

        var report = watch.Check();

        Assert.Equal(3.0, report.LatencyRatio);
        Assert.False(report.Breached, report.Summary);
    }

    [Fact]
    public void Check_ZeroBaseline_LatencyNotChecked()
    {
        var watch = CreateSut(baseline: TimeSpan.Zero);
        Decide(watch, score: 550, milliseconds: 1000, times: 200);

        var report = watch.Check();

        Assert.Equal(0, report.LatencyRatio);
        Assert.False(report.Breached, report.Summary);
        Assert.Contains("latency ratio not checked (no baseline)", report.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_WithinLimits_SummaryNamesEveryFigureAndThreshold()
    {
        var watch = CreateSut(decisions: 10, maxLatencyRatio: 3, reference: Reference);
        Decide(watch, score: 450, milliseconds: 10, times: 2);
        Decide(watch, score: 550, milliseconds: 10, times: 3);
        Decide(watch, score: 550, milliseconds: 50, times: 5); // median (10 + 50) / 2 = 30 ms: ratio 3, at the limit

        var summary = watch.Check().Summary;

        // 2 and 8 of 10, i.e. 0.2 / 0.8 against 0.4 / 0.6: (0.2−0.4)·ln(0.5) + (0.8−0.6)·ln(4/3) = 0.1386 + 0.0575 = 0.1962
        Assert.Equal(
            "probation within limits: 10 decisions, 0 errors, error rate 0.0000 (max 0.01, rate judged from 20 attempts), score PSI 0.1962 (max 0.25), "
            + "latency ratio 3.00 (max 3; median 30 ms over 10 sampled vs baseline 10 ms)",
            summary);
    }

    [Fact]
    public void IsComplete_DurationPassedWithTooFewDecisions_WatchesUntilDecisionsReached()
    {
        var watch = CreateSut(decisions: 50);
        Decide(watch, score: 550, milliseconds: 10, times: 49);
        _time.Advance(Duration);
        Assert.False(watch.IsComplete);

        Decide(watch, score: 550, milliseconds: 10, times: 1);

        Assert.True(watch.IsComplete);
    }

    [Fact]
    public void IsComplete_DecisionsReachedBeforeDuration_WaitsForDuration()
    {
        var watch = CreateSut(decisions: 50);
        Decide(watch, score: 550, milliseconds: 10, times: 50);
        _time.Advance(Duration - TimeSpan.FromTicks(1));
        Assert.False(watch.IsComplete);

        _time.Advance(TimeSpan.FromTicks(1));

        Assert.True(watch.IsComplete);
    }

    [Fact]
    public void IsComplete_ErrorsOnly_DoNotCountAsDecisions()
    {
        var watch = CreateSut(decisions: 5);
        Fail(watch, 10);
        _time.Advance(Duration);

        Assert.False(watch.IsComplete);
    }

    [Fact]
    public void Record_EightThreadsInParallel_TotalsExact()
    {
        var watch = CreateSut(reference: Reference);
        Concurrently.OnEightThreads(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                Decide(watch, score: i % 10 < 4 ? 450 : 550, milliseconds: 10, times: 10); // 40 % below 500, as the reference
                watch.RecordError("ORT threw");
            }
        });

        var report = watch.Check();

        Assert.Equal(800_000, report.Decisions);
        Assert.Equal(80_000, report.Errors);
        Assert.Equal(1 / 11.0, report.ErrorRate, 15); // 80,000 / 880,000
        Assert.Equal(0, report.ScorePsi!.Value, 12); // 320,000 / 480,000: every bin count arrived
        Assert.Equal(ProbationWatch.LatencySampleCapacity, watch.LatencySamples);
    }

    [Fact]
    public void RecordDecision_MillionDecisions_LatencySampleBounded()
    {
        var watch = CreateSut();
        for (var i = 0; i < 1_000_000; i++)
        {
            watch.RecordDecision(550, TimeSpan.FromMilliseconds(10));
            if (i % 100_000 == 0)
            {
                Assert.InRange(watch.LatencySamples, 1, ProbationWatch.LatencySampleCapacity);
            }
        }

        Assert.Equal(1_000_000, watch.Check().Decisions);
        Assert.Equal(ProbationWatch.LatencySampleCapacity, watch.LatencySamples);
    }
}
