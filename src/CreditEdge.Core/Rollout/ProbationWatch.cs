using System.Globalization;
using CreditEdge.Core.Drift;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Packages.Rollout;

namespace CreditEdge.Core.Rollout;

/// <summary>
/// Watches a model after it went live against <see cref="ProbationCriteria"/>: its error rate, the PSI of its scores
/// against the package's score reference (counted by a <see cref="DriftMonitor"/>) and its median latency against the
/// previous model's. Thread-safe: many requests record at once. Memory stays bounded: counts, one bin count per score
/// bin and at most <see cref="LatencySampleCapacity"/> latencies.
/// <para>
/// Rules. The window is complete once <see cref="ProbationCriteria.Duration"/> has passed (by the
/// <see cref="TimeProvider"/>) <em>and</em> <see cref="ProbationCriteria.Decisions"/> decisions were made: a quiet device
/// keeps watching past the duration until it has seen that many. <see cref="Check"/> judges, first failing check wins,
/// and a breach is final (later figures never clear it):
/// </para>
/// <list type="bullet">
/// <item><c>probation-errors</c>: <see cref="ErrorStreakLimit"/> errors in a row (no decision between) at any time; or,
/// from <see cref="MinAttemptsForErrorRate"/> attempts (decisions + errors) on, an error rate above MaxErrorRate.</item>
/// <item><c>probation-psi</c>: from <see cref="MinJudgedDecisions"/> decisions on, score PSI above MaxScorePsi. Not
/// checked without a reference histogram.</item>
/// <item><c>probation-latency</c>: from <see cref="MinJudgedDecisions"/> decisions on, median latency more than
/// MaxLatencyRatio × the baseline. Not checked with a zero baseline (none was measured).</item>
/// </list>
/// <para>The minimum samples keep one slow first request, or a handful of applicants, from rolling a model back. A figure exactly at its threshold passes.</para>
/// </summary>
public sealed class ProbationWatch
{
    /// <summary>Most decision latencies kept for the median (reservoir sampling, seeded).</summary>
    public const int LatencySampleCapacity = 10_000;

    /// <summary>PSI and latency are judged from min(this, Decisions / 2) decisions on (at least 1).</summary>
    public const int FullJudgedDecisions = 100;

    /// <summary>The error rate is judged from this many scoring attempts (decisions + errors) on.</summary>
    public const int MinAttemptsForErrorRate = 20;

    /// <summary>This many errors in a row breach at once, however few attempts there were.</summary>
    public const int ErrorStreakLimit = 5;

    private const int ReservoirSeed = 8;
    private const int MaxReasonLength = 200;

    private readonly ProbationCriteria _criteria;
    private readonly DriftMonitor? _scores;
    private readonly TimeSpan _baselineLatency;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _started;
    private readonly Lock _gate = new();
    private readonly Reservoir<long> _latencies = new(LatencySampleCapacity, ReservoirSeed);
    private long _decisions;
    private long _errors;
    private int _errorStreak;
    private bool _streakReached;
    private string? _firstError;
    private string? _breachedCheck;
    private string? _breachedAt;

    /// <param name="criteria">The package's probation criteria.</param>
    /// <param name="referenceScore">The package's score reference (<see cref="ReferenceDistributions.Score"/>); null: PSI is not checked.</param>
    /// <param name="baselineLatency">The previous model's median latency, measured before the switch; zero: latency is not checked.</param>
    /// <param name="time">The clock the window is measured by.</param>
    public ProbationWatch(ProbationCriteria criteria, Histogram? referenceScore, TimeSpan baselineLatency, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(criteria.Decisions);
        ArgumentOutOfRangeException.ThrowIfLessThan(baselineLatency, TimeSpan.Zero);
        _criteria = criteria;
        _scores = referenceScore is null ? null : new DriftMonitor([], new ReferenceDistributions { Score = referenceScore });
        _baselineLatency = baselineLatency;
        _time = time;
        _started = time.GetUtcNow();
        MinJudgedDecisions = Math.Clamp(criteria.Decisions / 2, 1, FullJudgedDecisions);
    }

    /// <summary>Decisions needed before PSI and latency are judged: min(<see cref="FullJudgedDecisions"/>, Decisions / 2), at least 1.</summary>
    public int MinJudgedDecisions { get; }

    /// <summary>Whether the window is over: Duration has passed and Decisions decisions were made. Call <see cref="Check"/> for the verdict.</summary>
    public bool IsComplete
    {
        get
        {
            lock (_gate)
            {
                return _decisions >= _criteria.Decisions && _time.GetUtcNow() - _started >= _criteria.Duration;
            }
        }
    }

    /// <summary>Latencies held now (at most <see cref="LatencySampleCapacity"/>).</summary>
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

    /// <summary>A decision the new model made: its score and how long scoring took.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The latency is negative.</exception>
    public void RecordDecision(int score, TimeSpan latency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        lock (_gate)
        {
            _decisions++;
            _errorStreak = 0;
            _scores?.Observe([], score);
            _latencies.Add(latency.Ticks);
        }
    }

    /// <summary>A request that failed inside scoring with the new model (e.g. ONNX Runtime threw).</summary>
    public void RecordError(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        lock (_gate)
        {
            _errors++;
            _firstError ??= reason.Length > MaxReasonLength ? reason[..MaxReasonLength] + "…" : reason;
            if (++_errorStreak >= ErrorStreakLimit)
            {
                _streakReached = true;
            }
        }
    }

    /// <summary>
    /// The figures so far and whether they breach the criteria; may be called at any time. It copies and sorts up to
    /// <see cref="LatencySampleCapacity"/> latencies outside the lock: call it every few seconds or decisions, not per request.
    /// </summary>
    public ProbationReport Check()
    {
        long decisions, errors;
        int errorStreak;
        bool streakReached;
        string? firstError;
        double? psi;
        long[] latencies;
        lock (_gate)
        {
            decisions = _decisions;
            errors = _errors;
            errorStreak = _errorStreak;
            streakReached = _streakReached;
            firstError = _firstError;
            psi = _scores?.Snapshot(reset: false).ScorePsi;
            latencies = _latencies.ToArray();
        }

        var c = _criteria;
        var attempts = decisions + errors;
        var errorRate = attempts == 0 ? 0 : errors / (double)attempts;
        var median = Median.Of(latencies);
        var checkLatency = _baselineLatency > TimeSpan.Zero;
        var latencyRatio = checkLatency && latencies.Length > 0 ? median / _baselineLatency.Ticks : 0;
        var judged = decisions >= MinJudgedDecisions;
        var breach =
            streakReached || (attempts >= MinAttemptsForErrorRate && errorRate > c.MaxErrorRate) ? ProbationChecks.Errors
            : judged && psi > c.MaxScorePsi ? ProbationChecks.Psi
            : judged && checkLatency && latencyRatio > c.MaxLatencyRatio ? ProbationChecks.Latency
            : null;

        string? breachedCheck, breachedAt;
        lock (_gate)
        {
            if (_breachedCheck is null && breach is not null)
            {
                _breachedCheck = breach;
                _breachedAt = string.Create(CultureInfo.InvariantCulture, $" at {decisions} decisions and {errors} errors");
            }

            breachedCheck = _breachedCheck;
            breachedAt = _breachedAt;
        }

        var verdict = breachedCheck is null ? "probation within limits" : $"probation breached ({breachedCheck}{breachedAt})";
        var errorsText = errors == 0 ? "0 errors" : $"{errors} errors, {errorStreak} in a row now (first: {firstError})";
        var errorJudged = attempts >= MinAttemptsForErrorRate ? "" : $", rate judged from {MinAttemptsForErrorRate} attempts";
        var notJudged = judged ? "" : $"; PSI and latency judged from {MinJudgedDecisions} decisions";
        var psiText = _scores is null ? "not checked (no reference)" : psi is { } p ? p.ToString("0.0000", CultureInfo.InvariantCulture) : "none yet";
        var latencyText = checkLatency
            ? string.Create(CultureInfo.InvariantCulture,
                $"{latencyRatio:0.00} (max {c.MaxLatencyRatio}; median {ShadowTrial.Milliseconds(median)} over {latencies.Length} sampled vs baseline {ShadowTrial.Milliseconds(_baselineLatency.Ticks)})")
            : "not checked (no baseline)";
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{verdict}: {decisions} decisions, {errorsText}, error rate {errorRate:0.0000} (max {c.MaxErrorRate}{errorJudged}), "
            + $"score PSI {psiText} (max {c.MaxScorePsi}), latency ratio {latencyText}{notJudged}");

        return new ProbationReport(Saturate(decisions), Saturate(errors), errorRate, psi, latencyRatio, breachedCheck is not null, breachedCheck, summary);
    }

    private static int Saturate(long count) => (int)Math.Min(count, int.MaxValue);
}
