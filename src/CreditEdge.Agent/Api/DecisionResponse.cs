using CreditEdge.Core.Decisions;
using CreditEdge.Core.Policy;

namespace CreditEdge.Agent.Api;

/// <summary>The decision as the API returns it (CONTRACT.md): never the applicant's input row.</summary>
public sealed record DecisionResponse(
    string DecisionId,
    string? ApplicationId,
    Outcome Outcome,
    double Probability,
    int Score,
    IReadOnlyList<ReasonResponse> Reasons,
    ModelRef Model,
    DateTimeOffset CreatedAt,
    string? TerminalId = null)
{
    /// <summary>The API's view of a decision; <c>terminalId</c> appears only when a terminal (not the kiosk) asked.</summary>
    public static DecisionResponse From(Decision d) =>
        new(d.DecisionId, d.ApplicationId, d.Outcome, d.Probability, d.Score, d.Reasons.Select(ReasonResponse.From).ToArray(), d.Model, d.CreatedAt, d.TerminalId);
}
