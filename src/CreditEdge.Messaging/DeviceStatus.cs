using CreditEdge.Core.Packages;

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
    DateTimeOffset At)
{
    /// <summary>Why this variant runs on this device: each variant's golden replay and measured µs on its CPU.</summary>
    public VariantChoice? VariantChoice { get; init; }

    /// <summary>The latest model update and where it stands; null before the first one.</summary>
    public Rollout.RolloutStatus? Rollout { get; init; }

    /// <summary>Why the kiosk is locked (its tamper switch), or null while it is not: it refuses scoring until unlocked.</summary>
    public string? Locked { get; init; }

    /// <summary>
    /// When the connection this status belongs to was opened: its "online", its Last Will and its clean-stop "offline"
    /// carry the same value. The Will's <see cref="At"/> is fixed when it is handed to the broker at connect, older than the
    /// "online" sent just after, so an office orders statuses by this first (a later connection wins; within one, offline
    /// wins) and only then by <see cref="At"/>.
    /// </summary>
    public DateTimeOffset? ConnectedAt { get; init; }
}
