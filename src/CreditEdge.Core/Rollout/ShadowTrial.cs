using System.Globalization;
using CreditEdge.Core.Packages.Rollout;
using CreditEdge.Core.Policy;

namespace CreditEdge.Core.Rollout;

/// <summary>
/// A challenger model scored beside the champion on the same requests (the applicant is answered by the champion only),
/// with the figures that decide whether it goes live: outcome agreement, score correlation and median latency ratio
/// against <see cref="ShadowCriteria"/>. Thread-safe: many requests record at once. Memory stays bounded however long the
/// trial runs: counts, a streaming correlation and at most <see cref="LatencySampleCapacity"/> latency pairs.
/// <para>
/// Rules: the trial is complete when <see cref="ShadowCriteria.Decisions"/> pairs were compared, when
/// <see cref="ShadowCriteria.MaxDuration"/> has passed (by the <see cref="TimeProvider"/>), or at the first challenger
/// failure (the verdict cannot change after one). <see cref="Evaluate"/> judges, first failing check wins:
/// any failure → <c>shadow-failures</c>; fewer compared than needed (Decisions while running, min(Decisions,
/// <see cref="MinComparedAtTimeout"/>) once MaxDuration has passed) → <c>shadow-too-few</c>; agreement below the minimum
/// → <c>shadow-agreement</c>; correlation below the minimum → <c>shadow-correlation</c>; latency ratio above the maximum
/// → <c>shadow-latency</c>. A figure exactly at its threshold passes.
/// </para>
/// </summary>
public sealed class ShadowTrial
{
    /// <summary>Most latency pairs kept for the medians (reservoir sampling of whole pairs, seeded, so both medians come from the same requests).</summary>
    public const int LatencySampleCapacity = 10_000;

    /// <summary>Fewest pairs a trial that ran out of time (<see cref="ShadowCriteria.MaxDuration"/>) is judged on, unless <see cref="ShadowCriteria.Decisions"/> is smaller.</summary>
    public const int MinComparedAtTimeout = 30;

    private const int ReservoirSeed = 8;
    private const int MaxReasonLength = 200;

    private readonly ShadowCriteria _criteria;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _started;
    private readonly Lock _gate = new();
    private readonly ScoreCorrelation _correlation = new();
    private readonly Reservoir<(long Champion, long Challenger)> _latencies = new(LatencySampleCapacity, ReservoirSeed);
    private long _compared;
    private long _agreed;
    private long _failures;
    private string? _firstFailure;

    public ShadowTrial(ShadowCriteria criteria, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(criteria.Decisions);
        _criteria = criteria;
        _time = time;
        _started = time.GetUtcNow();
    }

    /// <summary>Whether the trial is over: Decisions compared, MaxDuration passed, or the challenger failed.</summary>
    public bool IsComplete
    {
        get
        {
            lock (_gate)
            {
                return _failures > 0 || _compared >= _criteria.Decisions || TimeIsUp();
            }
        }
    }

    /// <summary>Latency pairs held now (at most <see cref="LatencySampleCapacity"/>).</summary>
    internal int LatencySamples
    {
        get
        {
            lock (_gate)
            {
                return _latencies.Count;
            }
        }
    }

    /// <summary>
    /// One request scored by both models. A challenger probability that is NaN or outside 0…1 is recorded as a challenger
    /// failure instead (<see cref="RecordChallengerFailure"/>) and not compared.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The champion's probability is NaN or outside 0…1, or a latency is negative.</exception>
    public void Record(
        Outcome championOutcome, double championProbability, int championScore, TimeSpan championLatency,
        Outcome challengerOutcome, double challengerProbability, int challengerScore, TimeSpan challengerLatency)
    {
        if (!IsProbability(championProbability))
        {
            throw new ArgumentOutOfRangeException(nameof(championProbability), championProbability, "the champion's probability must be within 0…1");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(championLatency, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(challengerLatency, TimeSpan.Zero);
        if (!IsProbability(challengerProbability))
        {
            RecordChallengerFailure(string.Create(CultureInfo.InvariantCulture, $"probability {challengerProbability} is not within 0…1"));
            return;
        }

        lock (_gate)
        {
            _compared++;
            if (championOutcome == challengerOutcome)
            {
                _agreed++;
            }

            _correlation.Add(championScore, challengerScore);
            _latencies.Add((championLatency.Ticks, challengerLatency.Ticks));
        }
    }

    /// <summary>The challenger failed on a request (threw, or produced a probability that is NaN or outside 0…1). Any failure fails the trial.</summary>
    public void RecordChallengerFailure(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        lock (_gate)
        {
            _failures++;
            _firstFailure ??= reason.Length > MaxReasonLength ? reason[..MaxReasonLength] + "…" : reason;
        }
    }

    /// <summary>
    /// The figures so far and the verdict on them; may be called at any time (before completion it does not pass). It copies
    /// and sorts up to <see cref="LatencySampleCapacity"/> latency pairs outside the lock: call it every few seconds or
    /// decisions, not per request (<see cref="IsComplete"/> is cheap).
    /// </summary>
    public ShadowReport Evaluate()
    {
        long compared, agreed, failures;
        double correlation;
        (long Champion, long Challenger)[] latencies;
        string? firstFailure;
        bool timeIsUp;
        lock (_gate)
        {
            compared = _compared;
            agreed = _agreed;
            failures = _failures;
            correlation = _correlation.Value;
            latencies = _latencies.ToArray();
            firstFailure = _firstFailure;
            timeIsUp = TimeIsUp();
        }

        var c = _criteria;
        var agreement = compared == 0 ? 0 : agreed / (double)compared;
        var championMedian = Median.Of(latencies.Select(l => l.Champion).ToArray());
        var challengerMedian = Median.Of(latencies.Select(l => l.Challenger).ToArray());
        // A median of zero (a clock too coarse to see the call) counts as one tick, so the ratio stays finite.
        var latencyRatio = latencies.Length == 0 ? 0 : challengerMedian / Math.Max(championMedian, 1);
        var needed = timeIsUp ? Math.Min(c.Decisions, MinComparedAtTimeout) : c.Decisions;

        var failed =
            failures > 0 ? ShadowChecks.Failures
            : compared < needed ? ShadowChecks.TooFew
            : agreement < c.MinOutcomeAgreement ? ShadowChecks.Agreement
            : correlation < c.MinScoreCorrelation ? ShadowChecks.Correlation
            : latencyRatio > c.MaxLatencyRatio ? ShadowChecks.Latency
            : null;

        var verdict = failed is null ? "shadow passed" : $"shadow failed ({failed})";
        var failuresText = failures == 0 ? "0 challenger failures" : $"{failures} challenger failures (first: {firstFailure})";
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{verdict}: {compared} compared (needs {needed}), {failuresText}, outcome agreement {agreement:0.0000} (min {c.MinOutcomeAgreement}), "
            + $"score correlation {correlation:0.0000} (min {c.MinScoreCorrelation}), latency ratio {latencyRatio:0.00} (max {c.MaxLatencyRatio}; "
            + $"median {Milliseconds(challengerMedian)} vs {Milliseconds(championMedian)} over {latencies.Length} sampled)");

        return new ShadowReport(Saturate(compared), Saturate(failures), agreement, correlation, latencyRatio, failed is null, failed, summary);
    }

    private bool TimeIsUp() => _time.GetUtcNow() - _started >= _criteria.MaxDuration;

    private static bool IsProbability(double p) => p is >= 0 and <= 1;

    private static int Saturate(long count) => (int)Math.Min(count, int.MaxValue);

    internal static string Milliseconds(double ticks) =>
        string.Create(CultureInfo.InvariantCulture, $"{ticks / TimeSpan.TicksPerMillisecond:0.###} ms");
}
