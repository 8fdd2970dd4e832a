namespace CreditEdge.Messaging.Rollout;

/// <summary>Where the device's latest model update stands, as the retained status carries it for <c>cedge fleet status</c>.</summary>
public sealed record RolloutStatus(string State, long Sequence, string? DesiredModelId, string? DesiredVersion, DateTimeOffset At)
{
    /// <summary>The check that rejected or rolled back the update.</summary>
    public string? Check { get; init; }

    public string? Detail { get; init; }
}
