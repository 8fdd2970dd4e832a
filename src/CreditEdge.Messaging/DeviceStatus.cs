namespace CreditEdge.Messaging;

/// <summary>What the retained <c>status</c> message says about the device.</summary>
public sealed record DeviceStatus(
    string State,
    string DeviceId,
    string AgentVersion,
    string? ModelId,
    string? ModelVersion,
    string? Variant,
    double UptimeSeconds,
    DateTimeOffset At);
