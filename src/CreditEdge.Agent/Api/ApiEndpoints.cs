using System.Text;
using CreditEdge.Agent.Hardware;
using CreditEdge.Agent.Kiosk;
using CreditEdge.Agent.Models;
using CreditEdge.Agent.Observability;
using CreditEdge.Agent.Options;
using CreditEdge.Agent.Retention;
using CreditEdge.Agent.Scoring;
using CreditEdge.Agent.Terminals;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Schema;
using CreditEdge.Messaging;
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
        v1.MapPost("/score", ScoreAsync).WithName("Score").Accepts<ScoreRequestDocument>(ApiDocument.Json).Produces<DecisionResponse>().ProducesProblems(400, 401, 429, 503);
        v1.MapGet("/decisions/{decisionId}", GetDecision).WithName("GetDecision").Produces<DecisionResponse>().ProducesProblems(401, 404, 429);
        v1.MapGet("/model", GetModel).WithName("GetModel").Produces<ModelResponse>().ProducesProblems(401, 429, 503);
        v1.MapGet("/status", GetStatus).WithName("GetStatus").Produces<StatusResponse>().ProducesProblems(401, 429);

        app.MapGet("/healthz", () => Results.Text("ok\n")).WithName("Health").ProducesText(200);
        app.MapGet("/readyz", Ready).WithName("Ready").ProducesText(200, 503);
        app.MapGet("/metrics", Metrics).WithName("Metrics").ProducesText(200);
        app.MapGet("/", KioskFiles.Index).WithName("KioskPage").ProducesHtml();
        app.MapGet("/kiosk/{file}", KioskFiles.File).WithName("KioskFile").ProducesPageFile().ProducesProblems(404);
        app.MapOpenApi(ApiDocument.Route);
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
        using var body = await RequestBody.ReadAsync(context.Request, limit, context.RequestAborted);
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

        var result = await scoring.ScoreAsync(body.Memory, key.Length == 0 ? null : key, TerminalGate.TerminalIdOf(context), context.RequestAborted);
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
        return Results.Json(new ModelResponse(m.Id, m.Version, m.Sequence, model.Variant.Sha256, model.Variant.Name, m.Features, m.NonInputs, model.Choice, model.Scorer.Provider.ToString(), m.Policy), ApiJson.Api.ModelResponse);
    }

    private static IResult GetStatus(Readiness readiness, ModelHost models, DeviceIdentity identity, IServiceProvider services)
    {
        var problems = readiness.Problems();
        var link = services.GetService<FleetLink>();
        var model = models.Current?.Ref;
        var status = new StatusResponse(problems.Count == 0, problems, link?.IsConnected ?? false, link is not null,
            model is null ? null : new StatusModel(model.Id, model.Version), identity.DeviceId);
        return Results.Json(status, ApiJson.Api.StatusResponse);
    }

    private static IResult Ready(Readiness readiness)
    {
        var problems = readiness.Problems();
        return problems.Count == 0 ? Results.Text("ready\n") : Results.Text(string.Join('\n', problems) + "\n", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static IResult Metrics(AgentMetrics metrics, ModelHost models, LiteDecisionStore store, RetentionService retention)
    {
        var current = models.Current;
        var text = metrics.Render(current?.Ref.Id, current?.Ref.Version, current?.Ref.Variant, store.IsWritable, store.Depth, retention.Deleted);
        return Results.Text(text, "text/plain; version=0.0.4", Encoding.UTF8);
    }
}
