using System.Text;
using CreditEdge.Agent.Hardware;
using CreditEdge.Agent.Models;
using CreditEdge.Agent.Observability;
using CreditEdge.Agent.Options;
using CreditEdge.Agent.Retention;
using CreditEdge.Agent.Scoring;
using CreditEdge.Agent.Terminals;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Schema;
using CreditEdge.Storage;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Api;

/// <summary>The local HTTP API of CONTRACT.md.</summary>
public static class ApiEndpoints
{
    public const int MaxIdempotencyKeyLength = 128;

    public static WebApplication MapCreditEdgeApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var v1 = app.MapGroup("/v1").AddEndpointFilter<TerminalGate>().RequireRateLimiting(TerminalRateLimiting.PolicyName);
        v1.MapPost("/score", ScoreAsync);
        v1.MapGet("/decisions/{decisionId}", GetDecision);
        v1.MapGet("/model", GetModel);

        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", Ready);
        app.MapGet("/metrics", Metrics);
        return app;
    }

    private static async Task<IResult> ScoreAsync(HttpContext context, ScoringService scoring, TamperLock tamperLock, AgentMetrics metrics, IOptions<ApiOptions> api)
    {
        if (tamperLock.RefusalReason is { } locked)
        {
            metrics.Unavailable();
            return Problems.Unavailable(locked);
        }

        var limit = api.Value.MaxBodyBytes;
        var body = await RequestBody.ReadAsync(context.Request, limit, context.RequestAborted);
        if (body is null)
        {
            return Problems.Invalid([new ValidationProblem("body", null, ValidationRules.BodySize, $"the body is larger than {limit} bytes")]);
        }

        var key = context.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length > MaxIdempotencyKeyLength || key.Any(ch => ch is < '!' or > '~'))
        {
            return Problems.Invalid([new ValidationProblem("Idempotency-Key", key.Length > 64 ? key[..64] + "…" : key, ValidationRules.Length,
                $"Idempotency-Key must be 1-{MaxIdempotencyKeyLength} printable ASCII characters without spaces")]);
        }

        var result = await scoring.ScoreAsync(body, key.Length == 0 ? null : key, TerminalGate.TerminalIdOf(context), context.RequestAborted);
        return result.Status switch
        {
            ScoreStatus.Decided or ScoreStatus.Replayed => Results.Json(DecisionResponse.From(result.Decision!), ApiJson.Api.DecisionResponse),
            ScoreStatus.Invalid => Problems.Invalid(result.Problems!),
            _ => Problems.Unavailable(result.Detail ?? "unavailable"),
        };
    }

    private static IResult GetDecision(string decisionId, IDecisionStore store) =>
        store.Find(decisionId) is { } decision
            ? Results.Json(DecisionResponse.From(decision), ApiJson.Api.DecisionResponse)
            : Problems.NotFound($"no decision '{decisionId}' is stored on this device");

    private static IResult GetModel(ModelHost models)
    {
        if (models.Current is not { } model)
        {
            return Problems.Unavailable(models.LoadError ?? "no model is loaded");
        }

        var m = model.Package.Manifest;
        return Results.Json(new ModelResponse(m.Id, m.Version, m.Sequence, model.Variant.Sha256, model.Variant.Name, m.Features, m.NonInputs, model.Choice, model.Scorer.Provider.ToString()), ApiJson.Api.ModelResponse);
    }

    private static IResult Ready(ModelHost models, LiteDecisionStore store, TamperLock tamperLock, IOptions<StorageOptions> storage)
    {
        var problems = new List<string>();
        if (tamperLock.RefusalReason is { } locked)
        {
            problems.Add(locked);
        }

        if (models.Current is null)
        {
            problems.Add("no model loaded: " + (models.LoadError ?? "none configured"));
        }

        if (store.WriteProblem(storage.Value.StallAfter) is { } storeProblem)
        {
            problems.Add(storeProblem);
        }

        if (store.IsOutboxFull)
        {
            problems.Add($"outbox full ({store.Depth} decisions waiting for sync): new decisions are refused");
        }

        return problems.Count == 0 ? Results.Text("ready\n") : Results.Text(string.Join('\n', problems) + "\n", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static IResult Metrics(AgentMetrics metrics, ModelHost models, LiteDecisionStore store, RetentionService retention)
    {
        var current = models.Current;
        var text = metrics.Render(current?.Ref.Id, current?.Ref.Version, current?.Ref.Variant, store.IsWritable, store.Depth, retention.Deleted);
        return Results.Text(text, "text/plain; version=0.0.4", Encoding.UTF8);
    }
}
