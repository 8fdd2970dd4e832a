namespace CreditEdge.Core.Packages.Rollout;

/// <summary>
/// How a device tries a new package in the shadow of the active one before switching: the candidate scores the same
/// requests (answers still come from the active model) until <see cref="Decisions"/> were compared or
/// <see cref="MaxDuration"/> has passed, and it is switched to only if its outcomes agree at least
/// <see cref="MinOutcomeAgreement"/> (0–1), its scores correlate at least <see cref="MinScoreCorrelation"/> (−1–1) and its
/// latency is at most <see cref="MaxLatencyRatio"/> (≥ 1) times the active model's.
/// </summary>
public sealed record ShadowCriteria(int Decisions, TimeSpan MaxDuration, double MinOutcomeAgreement, double MinScoreCorrelation, double MaxLatencyRatio)
{
    public static ShadowCriteria Default { get; } = new(200, TimeSpan.FromHours(24), 0.95, 0.9, 3.0);
}
