using System.Diagnostics;
using System.Threading.Channels;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Policy;
using CreditEdge.Core.Rollout;
using CreditEdge.Inference;

namespace CreditEdge.Agent.Rollout;

/// <summary>
/// Where the scoring path meets a model update, and nothing more: while a shadow trial runs, each decided row is copied
/// (bounded, dropping when full — a trial never slows an answer) to a worker that decides it with the champion and the
/// candidate, timing both the same way; while a probation runs, each decision's score and engine time and each scoring
/// failure are recorded. With neither running it costs two volatile reads per request.
/// </summary>
public sealed partial class RolloutGate
{
    private const int ShadowQueue = 256;

    /// <summary>Engine times kept of the active model's latest decisions (a ring): the probation's latency baseline.</summary>
    private const int RecentTimes = 1024;

    /// <summary>Fewest recent decisions for a live baseline; with fewer, the rollout measures one on golden inputs.</summary>
    public const int MinBaselineDecisions = 30;

    private readonly long[] _recentTicks = new long[RecentTimes];
    private long _recentCount;

    private readonly ILogger<RolloutGate> _logger;
    private volatile ShadowRun? _shadow;
    private volatile ProbationWatch? _probation;

    public RolloutGate(ILogger<RolloutGate> logger) => _logger = logger;

    /// <summary>Rows the shadow worker could not keep up with (not compared).</summary>
    public long ShadowDropped => _shadow?.Dropped ?? 0;

    /// <summary>Called by the scoring path after a decision was stored.</summary>
    public void Decided(LoadedModel champion, float[] row, Decision decision, TimeSpan engineTime)
    {
        var slot = Interlocked.Increment(ref _recentCount) - 1;
        Volatile.Write(ref _recentTicks[slot % RecentTimes], engineTime.Ticks);
        _probation?.RecordDecision(decision.Score, engineTime);
        _shadow?.Offer(champion, row);
    }

    /// <summary>
    /// Median engine time of the latest decisions (up to 1,024), measured on live requests exactly as the probation measures
    /// the new model — so the two are comparable; null with fewer than <see cref="MinBaselineDecisions"/>.
    /// </summary>
    public TimeSpan? RecentEngineMedian()
    {
        var count = (int)Math.Min(Interlocked.Read(ref _recentCount), RecentTimes);
        if (count < MinBaselineDecisions)
        {
            return null;
        }

        var ticks = new long[count];
        for (var i = 0; i < count; i++)
        {
            ticks[i] = Volatile.Read(ref _recentTicks[i]);
        }

        Array.Sort(ticks);
        return TimeSpan.FromTicks(ticks[count / 2]);
    }

    /// <summary>Called by the scoring path when the active model failed to score a valid request.</summary>
    public void ScoringFailed(string reason) => _probation?.RecordError(reason);

    /// <summary>Starts comparing <paramref name="candidate"/> with whatever model is active on live requests.</summary>
    public ShadowRun StartShadow(LoadedModel candidate, ShadowTrial trial)
    {
        var run = new ShadowRun(candidate, trial, _logger);
        _shadow = run;
        return run;
    }

    public void StopShadow(ShadowRun run)
    {
        if (ReferenceEquals(_shadow, run))
        {
            _shadow = null;
        }

        run.Stop();
    }

    public void StartProbation(ProbationWatch watch) => _probation = watch;

    public void StopProbation() => _probation = null;

    /// <summary>A running shadow trial: its queue and worker.</summary>
    public sealed class ShadowRun
    {
        private readonly LoadedModel _candidate;
        private readonly ILogger _logger;
        private readonly Channel<(LoadedModel Champion, float[] Row)> _rows =
            Channel.CreateBounded<(LoadedModel, float[])>(new BoundedChannelOptions(ShadowQueue) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
        private readonly Task _worker;
        private long _dropped;

        internal ShadowRun(LoadedModel candidate, ShadowTrial trial, ILogger logger)
        {
            _candidate = candidate;
            Trial = trial;
            _logger = logger;
            _worker = Task.Run(WorkAsync);
        }

        public ShadowTrial Trial { get; }

        public long Dropped => Interlocked.Read(ref _dropped);

        internal void Offer(LoadedModel champion, float[] row)
        {
            if (!_rows.Writer.TryWrite((champion, row)))
            {
                Interlocked.Increment(ref _dropped);
            }
        }

        internal void Stop()
        {
            _rows.Writer.TryComplete();
            _worker.Wait(TimeSpan.FromSeconds(10));
        }

        private async Task WorkAsync()
        {
            var reasons = new Reason[ReasonAttribution.MaxReasons];
            await foreach (var (champion, row) in _rows.Reader.ReadAllAsync())
            {
                if (champion.Package.Schema.Count != _candidate.Package.Schema.Count)
                {
                    continue; // a row of another shape (a schema change the message allowed) cannot be compared
                }

                var started = Stopwatch.GetTimestamp();
                var served = champion.Engine.Decide(row, reasons);
                var championTime = Stopwatch.GetElapsedTime(started);
                started = Stopwatch.GetTimestamp();
                Verdict tried;
                try
                {
                    tried = _candidate.Engine.Decide(row, reasons);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Trial.RecordChallengerFailure(ex.Message);
                    continue;
                }

                var candidateTime = Stopwatch.GetElapsedTime(started);
                if (!double.IsFinite(tried.Probability) || tried.Probability is < 0 or > 1)
                {
                    Trial.RecordChallengerFailure($"probability {tried.Probability}");
                    continue;
                }

                Trial.Record(served.Outcome, served.Probability, served.Score, championTime, tried.Outcome, tried.Probability, tried.Score, candidateTime);
            }

            Log.ShadowStopped(_logger, Dropped);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "Shadow trial worker stopped; {Dropped} rows were not compared (queue full)")]
        public static partial void ShadowStopped(ILogger logger, long dropped);
    }
}
