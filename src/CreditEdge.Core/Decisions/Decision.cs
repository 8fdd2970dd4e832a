using System.Text.Json.Serialization;
using CreditEdge.Core.Policy;

namespace CreditEdge.Core.Decisions;

/// <summary>A scored application as stored, synced and returned by the API.</summary>
public sealed record Decision
{
    public required string DecisionId { get; init; }

    public string? ApplicationId { get; init; }

    public string? IdempotencyKey { get; init; }

    public required Outcome Outcome { get; init; }

    /// <summary>Probability of default, 0..1.</summary>
    public required double Probability { get; init; }

    /// <summary>Score points (PDO scale).</summary>
    public required int Score { get; init; }

    public required IReadOnlyList<Reason> Reasons { get; init; }

    public required ModelRef Model { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The model input row as scored (manifest order), for audit and replay. Never logged.</summary>
    public required IReadOnlyList<float> Input { get; init; }

    /// <summary>
    /// The terminal (handheld) whose key made the request, or null for the kiosk's own addresses (README "Terminals").
    /// Last, and left out of the JSON when null, so decisions without a terminal keep their stored bytes and chain hashes.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TerminalId { get; init; }
}
