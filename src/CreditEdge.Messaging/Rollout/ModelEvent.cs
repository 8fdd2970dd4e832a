namespace CreditEdge.Messaging.Rollout;

/// <summary>
/// One step of a model update, published by the device on <c>creditedge/devices/{id}/model/events</c> (QoS 1, not
/// retained; the latest state is also in the retained status as <see cref="RolloutStatus"/>). <see cref="Event"/> is one
/// of <see cref="ModelEvents"/>; <see cref="Check"/> names the check a <c>rejected</c> or <c>rolled-back</c> failed.
/// </summary>
public sealed record ModelEvent(
    string Event,
    string DeviceId,
    long Sequence,
    string? ModelId,
    string? Version,
    string? PackageSha256,
    DateTimeOffset At)
{
    /// <summary><c>downloading</c>: 0–100.</summary>
    public int? Progress { get; init; }

    /// <summary><c>rejected</c>, <c>rolled-back</c>: the check's name (e.g. <c>golden</c>, <c>desired-signature</c>, <c>probation-psi</c>).</summary>
    public string? Check { get; init; }

    /// <summary>Human detail: why, or the figures of a shadow trial or probation.</summary>
    public string? Detail { get; init; }

    /// <summary>Chunks fetched from the broker and reused from disk (<c>downloaded</c>).</summary>
    public int? ChunksFetched { get; init; }

    public int? ChunksReused { get; init; }

    /// <summary>Chunk messages the broker delivered in this attempt (equal to <see cref="ChunksFetched"/> when none came twice).</summary>
    public int? ChunkDeliveries { get; init; }
}
