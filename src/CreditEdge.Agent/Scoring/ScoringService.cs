using System.Buffers;
using System.Diagnostics;
using CreditEdge.Agent.Models;
using CreditEdge.Agent.Observability;
using CreditEdge.Agent.Options;
using CreditEdge.Agent.Rollout;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Policy;
using CreditEdge.Core.Privacy;
using CreditEdge.Core.Schema;
using CreditEdge.Storage;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Scoring;

/// <summary>
/// The whole decision path of a request: idempotency look-up → validate → score with reasons → policy → durable write.
/// </summary>
public sealed class ScoringService
{
    private readonly ModelHost _models;
    private readonly IDecisionStore _store;
    private readonly ApplicationIdProtector _applicationIds;
    private readonly RolloutGate _rollout;
    private readonly AgentMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _stallAfter;
    private readonly ILogger<ScoringService> _logger;

    public ScoringService(ModelHost models, IDecisionStore store, ApplicationIdProtector applicationIds, RolloutGate rollout, AgentMetrics metrics, IOptions<StorageOptions> storage, TimeProvider time, ILogger<ScoringService> logger)
    {
        _stallAfter = storage.Value.StallAfter;
        _rollout = rollout;
        _models = models;
        _store = store;
        _applicationIds = applicationIds;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised after each new decision is durable (the kiosk's outcome lamp and buzzer); handlers must be quick and must not throw.</summary>
    public event Action<Outcome>? Decided;

    /// <summary>Decides one request; <paramref name="terminalId"/> (null for the kiosk) is recorded on the decision.</summary>
    public async Task<ScoreResult> ScoreAsync(ReadOnlyMemory<byte> body, string? idempotencyKey, string? terminalId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (idempotencyKey is not null && _store.FindByIdempotencyKey(idempotencyKey) is { } earlier)
        {
            _metrics.Replayed();
            Log.IdempotentReplay(_logger, earlier.DecisionId);
            return new ScoreResult(ScoreStatus.Replayed, earlier);
        }

        // the lease keeps this model's ORT session open for the whole request, even if another model is activated meanwhile
        using var lease = _models.Acquire();
        var model = lease.Model;
        if (model is null)
        {
            _metrics.Unavailable();
            return new ScoreResult(ScoreStatus.NoModel, Detail: _models.LoadError ?? "no model is loaded");
        }

        if (_store.WriteProblem(_stallAfter) is { } storeProblem)
        {
            _metrics.Unavailable();
            return new ScoreResult(ScoreStatus.StoreUnavailable, Detail: storeProblem);
        }

        Decision? decision;
        List<ValidationProblem>? problems;
        TimeSpan engineTime;
        try
        {
            decision = Decide(model.Engine, body.Span, idempotencyKey, out problems, out engineTime);
            if (decision is not null && terminalId is not null)
            {
                decision = decision with { TerminalId = terminalId };
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // the model itself failed (ORT threw): a 503 naming it, counted against a model on probation
            _metrics.Unavailable();
            _rollout.ScoringFailed(ex.Message);
            Log.ModelFailed(_logger, model.Ref.Id, model.Ref.Version, ex);
            return new ScoreResult(ScoreStatus.NoModel, Detail: $"model {model.Ref.Id} {model.Ref.Version} failed to score this request");
        }

        if (decision is null)
        {
            _metrics.Invalid();
            return new ScoreResult(ScoreStatus.Invalid, Problems: problems);
        }

        Decision stored;
        try
        {
            stored = await _store.SaveAsync(decision, cancellationToken);
        }
        catch (OutboxFullException ex)
        {
            _metrics.Unavailable();
            Log.StoreFailed(_logger, ex);
            return new ScoreResult(ScoreStatus.StoreUnavailable, Detail: ex.Message);
        }
        catch (StorageException ex)
        {
            _metrics.Unavailable();
            Log.StoreFailed(_logger, ex);
            return new ScoreResult(ScoreStatus.StoreUnavailable, Detail: "the decision could not be stored durably; it was not made");
        }

        if (!ReferenceEquals(stored, decision))
        {
            // a concurrent request with the same idempotency key was stored first
            _metrics.Replayed();
            return new ScoreResult(ScoreStatus.Replayed, stored);
        }

        if (stored.Input is float[] row)
        {
            model.Drift.Observe(row, stored.Score);
            _rollout.Decided(model, row, stored, engineTime);
        }

        _metrics.Decided(stored.Outcome, Stopwatch.GetElapsedTime(started));
        Decided?.Invoke(stored.Outcome);
        Log.Decided(_logger, stored.DecisionId, stored.Outcome.ToString(), stored.Score);
        return new ScoreResult(ScoreStatus.Decided, stored);
    }

    /// <summary>The in-process path (validate → vectorize → score → policy → reasons) without storage; null when invalid.</summary>
    public Decision? Decide(DecisionEngine engine, ReadOnlySpan<byte> body, string? idempotencyKey, out List<ValidationProblem>? problems) =>
        Decide(engine, body, idempotencyKey, out problems, out _);

    /// <summary>As <see cref="Decide(DecisionEngine, ReadOnlySpan{byte}, string?, out List{ValidationProblem}?)"/>, also timing the engine (scoring and reasons).</summary>
    public Decision? Decide(DecisionEngine engine, ReadOnlySpan<byte> body, string? idempotencyKey, out List<ValidationProblem>? problems, out TimeSpan engineTime)
    {
        engineTime = TimeSpan.Zero;
        var schema = engine.Package.Schema;
        var row = ArrayPool<float>.Shared.Rent(schema.Count);
        try
        {
            var rowSpan = row.AsSpan(0, schema.Count);
            problems = null;
            var found = new List<ValidationProblem>(0);
            if (!ScoreRequestReader.TryRead(body, schema, rowSpan, out var applicationId, found))
            {
                problems = found;
                return null;
            }

            Span<Reason> reasons = new Reason[ReasonAttribution.MaxReasons];
            var engineStarted = Stopwatch.GetTimestamp();
            var verdict = engine.Decide(rowSpan, reasons);
            engineTime = Stopwatch.GetElapsedTime(engineStarted);
            var now = _time.GetUtcNow();
            return new Decision
            {
                DecisionId = Guid.CreateVersion7(now).ToString("N"),
                ApplicationId = _applicationIds.Protect(applicationId),
                IdempotencyKey = idempotencyKey,
                Outcome = verdict.Outcome,
                Probability = verdict.Probability,
                Score = verdict.Score,
                Reasons = reasons[..verdict.ReasonCount].ToArray(),
                Model = engine.Model,
                CreatedAt = now,
                Input = rowSpan.ToArray(),
            };
        }
        finally
        {
            ArrayPool<float>.Shared.Return(row);
        }
    }
}
