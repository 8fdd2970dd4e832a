using System.Text.Json;

namespace CreditEdge.Agent.Api;

/// <summary>
/// The body of <c>POST /v1/score</c> as the OpenAPI document describes it. The agent never binds it: the body is read
/// straight into the model's input row (<c>ScoreRequestReader</c>); <c>GET /v1/model</c> lists the features.
/// </summary>
public sealed record ScoreRequestDocument(string? ApplicationId, IReadOnlyDictionary<string, JsonElement> Features);
