using CreditEdge.Core.Decisions;
using CreditEdge.Core.Schema;

namespace CreditEdge.Agent.Scoring;

/// <summary>The outcome of one score request: a durable decision, or why there is none.</summary>
public sealed record ScoreResult(ScoreStatus Status, Decision? Decision = null, IReadOnlyList<ValidationProblem>? Problems = null, string? Detail = null);
