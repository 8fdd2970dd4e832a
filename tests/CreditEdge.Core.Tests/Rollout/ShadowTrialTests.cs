using CreditEdge.Core.Packages.Rollout;
using CreditEdge.Core.Policy;
using CreditEdge.Core.Rollout;
using Microsoft.Extensions.Time.Testing;

namespace CreditEdge.Core.Tests.Rollout;

public sealed class ShadowTrialTests
{
    private static readonly TimeSpan MaxDuration = TimeSpan.FromHours(24);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private ShadowTrial CreateSut(int decisions = 10, double minAgreement = 0.95, double minCorrelation = 0.9, double maxLatencyRatio = 3.0) =>
        new(new ShadowCriteria(decisions, MaxDuration, minAgreement, minCorrelation, maxLatencyRatio), _time);

    private static void Record(ShadowTrial trial, Outcome champion, int championScore, double championMs, Outcome challenger, int challengerScore, double challengerMs) =>
        trial.Record(champion, 0.2, championScore, TimeSpan.FromMilliseconds(championMs), challenger, 0.2, challengerScore, TimeSpan.FromMilliseconds(challengerMs));

    /// <summary><paramref name="count"/> pairs on which both models agree completely: same outcome, score 500 + i, 1 ms each.</summary>
    private static void RecordAgreeing(ShadowTrial trial, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Record(trial, Outcome.Approve, 500 + i, 1, Outcome.Approve, 500 + i, 1);
        }
    }

    [Fact]
    public void Evaluate_TenPairsEightSameOutcomes_AgreementIsPointEightAndNamed()
    {
        var trial = CreateSut(decisions: 10, minAgreement: 0.95);
        RecordAgreeing(trial, 8);
        Record(trial, Outcome.Approve, 600, 1, Outcome.Refer, 600, 1);
        Record(trial, Outcome.Decline, 601, 1, Outcome.Refer, 601, 1);

        var report = trial.Evaluate();

        Assert.Equal(10, report.Compared);
        Assert.Equal(0.8, report.OutcomeAgreement, 15); // 8 / 10
        Assert.False(report.Passed);
        Assert.Equal(ShadowChecks.Agreement, report.FailedCheck);
    }

    [Fact]
    public void Evaluate_AgreementExactlyAtMinimum_Passes()
    {
        var trial = CreateSut(decisions: 20, minAgreement: 0.95);
        RecordAgreeing(trial, 19);
        Record(trial, Outcome.Approve, 600, 1, Outcome.Refer, 600, 1);

        var report = trial.Evaluate();

        Assert.Equal(0.95, report.OutcomeAgreement); // 19 / 20
        Assert.True(report.Passed, report.Summary);
    }

    [Fact]
    public void Evaluate_FivePairs_CorrelationIsHandComputedPearson()
    {
        // x = 500 510 520 530 540 (mean 520), y = 600 620 610 640 630 (mean 620)
        // dx = −20 −10 0 10 20, dy = −20 0 −10 20 10
        // Σdx·dy = 400 + 0 + 0 + 200 + 200 = 800; Σdx² = 400+100+0+100+400 = 1000; Σdy² = 400+0+100+400+100 = 1000
        // r = 800 / √(1000 · 1000) = 0.8
        var trial = CreateSut(decisions: 5, minAgreement: 0, minCorrelation: 0.9);
        int[] x = [500, 510, 520, 530, 540];
        int[] y = [600, 620, 610, 640, 630];
        for (var i = 0; i < x.Length; i++)
        {
            Record(trial, Outcome.Approve, x[i], 1, Outcome.Approve, y[i], 1);
        }

        var report = trial.Evaluate();

        Assert.Equal(0.8, report.ScoreCorrelation, 12);
        Assert.Equal(ShadowChecks.Correlation, report.FailedCheck);
    }

    [Fact]
    public void Evaluate_ScoresNearTwoBillion_CorrelationStaysExact()
    {
        // y = 4e9 − x exactly: r = −1. Summing x² here (≈ 4e18 each) would lose every digit of the spread of 0…9:
        // n·Σx² − (Σx)² comes out negative in doubles. The co-moment update keeps it.
        var trial = CreateSut(decisions: 100_000, minAgreement: 0, minCorrelation: -1);
        for (var i = 0; i < 100_000; i++)
        {
            Record(trial, Outcome.Approve, 2_000_000_000 + (i % 10), 1, Outcome.Approve, 2_000_000_000 - (i % 10), 1);
        }

        Assert.Equal(-1, trial.Evaluate().ScoreCorrelation, 9);
    }

    [Theory]
    [InlineData(new[] { 550, 550, 550 }, new[] { 550, 550, 550 }, 1.0)] // both constant and equal
    [InlineData(new[] { 550, 550, 550 }, new[] { 560, 560, 560 }, 0.0)] // both constant, different
    [InlineData(new[] { 550, 550, 550 }, new[] { 540, 550, 560 }, 0.0)] // champion constant
    [InlineData(new[] { 540, 550, 560 }, new[] { 550, 550, 550 }, 0.0)] // challenger constant
    public void Evaluate_ZeroVariance_CorrelationByDocumentedRule(int[] championScores, int[] challengerScores, double expected)
    {
        var trial = CreateSut(decisions: 3);
        for (var i = 0; i < championScores.Length; i++)
        {
            Record(trial, Outcome.Refer, championScores[i], 1, Outcome.Refer, challengerScores[i], 1);
        }

        Assert.Equal(expected, trial.Evaluate().ScoreCorrelation);
    }

    [Fact]
    public void Evaluate_OddCount_LatencyRatioIsRatioOfMedians()
    {
        // champion 1 2 3 4 100 ms → median 3; challenger 9 2 6 4 8 ms → sorted 2 4 6 8 9 → median 6; 6 / 3 = 2
        var trial = CreateSut(decisions: 5, maxLatencyRatio: 1.5);
        double[] champion = [1, 2, 3, 4, 100];
        double[] challenger = [9, 2, 6, 4, 8];
        for (var i = 0; i < champion.Length; i++)
        {
            Record(trial, Outcome.Approve, 500 + i, champion[i], Outcome.Approve, 500 + i, challenger[i]);
        }

        var report = trial.Evaluate();

        Assert.Equal(2.0, report.LatencyRatio, 12);
        Assert.Equal(ShadowChecks.Latency, report.FailedCheck);
    }

    [Fact]
    public void Evaluate_EvenCountRatioExactlyAtMaximum_Passes()
    {
        // champion 1 2 4 100 ms → median (2 + 4) / 2 = 3; challenger 1000 3 9 5 → sorted 3 5 9 1000 → median (5 + 9) / 2 = 7
        // ratio 7 / 3 = 2.333…; with a maximum of 7/3 it passes, with anything lower it fails
        double[] champion = [1, 2, 4, 100];
        double[] challenger = [1000, 3, 9, 5];
        var atMaximum = CreateSut(decisions: 4, maxLatencyRatio: 7.0 / 3.0);
        var belowMaximum = CreateSut(decisions: 4, maxLatencyRatio: 2.3);
        for (var i = 0; i < champion.Length; i++)
        {
            Record(atMaximum, Outcome.Approve, 500 + i, champion[i], Outcome.Approve, 500 + i, challenger[i]);
            Record(belowMaximum, Outcome.Approve, 500 + i, champion[i], Outcome.Approve, 500 + i, challenger[i]);
        }

        Assert.Equal(7.0 / 3.0, atMaximum.Evaluate().LatencyRatio, 12);
        Assert.True(atMaximum.Evaluate().Passed, atMaximum.Evaluate().Summary);
        Assert.Equal(ShadowChecks.Latency, belowMaximum.Evaluate().FailedCheck);
    }

    [Fact]
    public void RecordChallengerFailure_OneAmongGoodPairs_FailsTrialAndCompletesIt()
    {
        var trial = CreateSut(decisions: 10);
        RecordAgreeing(trial, 9);
        Assert.False(trial.IsComplete);

        trial.RecordChallengerFailure("ORT threw: Invalid input shape");
        var report = trial.Evaluate();

        Assert.True(trial.IsComplete);
        Assert.Equal(9, report.Compared);
        Assert.Equal(1, report.ChallengerFailures);
        Assert.False(report.Passed);
        Assert.Equal(ShadowChecks.Failures, report.FailedCheck);
        Assert.Contains("ORT threw: Invalid input shape", report.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    public void Record_ChallengerProbabilityOutsideZeroToOne_CountedAsFailureNotCompared(double probability)
    {
        var trial = CreateSut();
        trial.Record(Outcome.Approve, 0.2, 550, TimeSpan.FromMilliseconds(1), Outcome.Approve, probability, 550, TimeSpan.FromMilliseconds(1));

        var report = trial.Evaluate();

        Assert.Equal(0, report.Compared);
        Assert.Equal(1, report.ChallengerFailures);
        Assert.Equal(ShadowChecks.Failures, report.FailedCheck);
    }

    [Fact]
    public void Record_ChampionProbabilityNaN_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            CreateSut().Record(Outcome.Approve, double.NaN, 550, TimeSpan.Zero, Outcome.Approve, 0.2, 550, TimeSpan.Zero));

    [Fact]
    public void IsComplete_DecisionsReached_CompleteAndPassed()
    {
        var trial = CreateSut(decisions: 3);
        RecordAgreeing(trial, 2);
        Assert.False(trial.IsComplete);
        Assert.Equal(ShadowChecks.TooFew, trial.Evaluate().FailedCheck); // not done yet: does not pass

        RecordAgreeing(trial, 1);

        Assert.True(trial.IsComplete);
        var report = trial.Evaluate();
        Assert.True(report.Passed, report.Summary);
        Assert.Null(report.FailedCheck);
    }

    [Fact]
    public void IsComplete_MaxDurationElapsed_CompleteByTime()
    {
        var trial = CreateSut(decisions: 200);
        _time.Advance(MaxDuration - TimeSpan.FromTicks(1));
        Assert.False(trial.IsComplete);

        _time.Advance(TimeSpan.FromTicks(1));

        Assert.True(trial.IsComplete);
    }

    [Theory]
    [InlineData(200, 29, false)] // needs min(200, 30) = 30
    [InlineData(200, 30, true)]
    [InlineData(20, 19, false)] // needs min(20, 30) = 20
    public void Evaluate_MaxDurationElapsed_JudgedOnMinOfDecisionsAndThirty(int decisions, int compared, bool passed)
    {
        var trial = CreateSut(decisions: decisions);
        RecordAgreeing(trial, compared);
        _time.Advance(MaxDuration);

        var report = trial.Evaluate();

        Assert.Equal(passed, report.Passed);
        Assert.Equal(passed ? null : ShadowChecks.TooFew, report.FailedCheck);
    }

    [Fact]
    public void Evaluate_NothingCompared_FiguresZeroAndTooFew()
    {
        var report = CreateSut().Evaluate();

        Assert.Equal((0, 0, 0.0, 0.0, 0.0, false, ShadowChecks.TooFew),
            (report.Compared, report.ChallengerFailures, report.OutcomeAgreement, report.ScoreCorrelation, report.LatencyRatio, report.Passed, report.FailedCheck));
    }

    [Fact]
    public void Evaluate_FailureAndLowAgreement_FailuresNamedFirst()
    {
        var trial = CreateSut(decisions: 2);
        Record(trial, Outcome.Approve, 500, 1, Outcome.Decline, 500, 1);
        Record(trial, Outcome.Approve, 510, 1, Outcome.Decline, 510, 1);
        trial.RecordChallengerFailure("threw");

        Assert.Equal(ShadowChecks.Failures, trial.Evaluate().FailedCheck);
    }

    [Fact]
    public void Evaluate_Passed_SummaryNamesEveryFigureAndThreshold()
    {
        var trial = CreateSut(decisions: 10);
        RecordAgreeing(trial, 10);

        var summary = trial.Evaluate().Summary;

        Assert.Equal(
            "shadow passed: 10 compared (needs 10), 0 challenger failures, outcome agreement 1.0000 (min 0.95), score correlation 1.0000 (min 0.9), "
            + "latency ratio 1.00 (max 3; median 1 ms vs 1 ms over 10 sampled)",
            summary);
    }

    [Fact]
    public void Record_EightThreadsInParallel_TotalsExact()
    {
        var trial = CreateSut(decisions: 1_000_000, minAgreement: 0);
        Concurrently.OnEightThreads(() =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                // every fourth pair disagrees on outcome; challenger score = 2 · champion + 1 (perfectly correlated)
                var challenger = i % 4 == 0 ? Outcome.Refer : Outcome.Approve;
                Record(trial, Outcome.Approve, 400 + (i % 100), 1, challenger, 801 + (2 * (i % 100)), 2);
                if (i % 10_000 == 0)
                {
                    trial.RecordChallengerFailure("threw");
                }
            }
        });

        var report = trial.Evaluate();

        Assert.Equal(800_000, report.Compared);
        Assert.Equal(80, report.ChallengerFailures);
        Assert.Equal(0.75, report.OutcomeAgreement); // 600,000 / 800,000
        Assert.Equal(1, report.ScoreCorrelation, 9);
        Assert.Equal(2, report.LatencyRatio);
        Assert.Equal(ShadowTrial.LatencySampleCapacity, trial.LatencySamples);
    }

    [Fact]
    public void Record_MillionPairs_LatencySampleBoundedAndPaired()
    {
        var trial = CreateSut(decisions: 1_000_000);
        for (var i = 0; i < 1_000_000; i++)
        {
            // champion 1…1000 µs, challenger exactly twice its pair's: the medians of a sample of whole pairs keep the ratio 2
            var champion = TimeSpan.FromMicroseconds(1 + (i % 1000));
            trial.Record(Outcome.Approve, 0.2, 550, champion, Outcome.Approve, 0.2, 550, champion * 2);
            if (i % 100_000 == 0)
            {
                Assert.InRange(trial.LatencySamples, 1, ShadowTrial.LatencySampleCapacity);
            }
        }

        var report = trial.Evaluate();

        Assert.Equal(1_000_000, report.Compared);
        Assert.Equal(ShadowTrial.LatencySampleCapacity, trial.LatencySamples);
        Assert.Equal(2, report.LatencyRatio, 12);
        Assert.True(report.Passed, report.Summary);
    }
}
