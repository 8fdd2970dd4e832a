namespace CreditEdge.Core.Rollout;

/// <summary>The check a failed shadow trial names in <see cref="ShadowReport.FailedCheck"/>, in the order they are judged.</summary>
public static class ShadowChecks
{
    /// <summary>The challenger failed at least once: it threw, or gave a probability that is NaN or outside 0…1.</summary>
    public const string Failures = "shadow-failures";

    /// <summary>
    /// Fewer pairs compared than the trial needs: <see cref="Packages.Rollout.ShadowCriteria.Decisions"/> while the trial runs,
    /// min(Decisions, <see cref="ShadowTrial.MinComparedAtTimeout"/>) once <see cref="Packages.Rollout.ShadowCriteria.MaxDuration"/> has passed.
    /// </summary>
    public const string TooFew = "shadow-too-few";

    /// <summary>The share of requests where both models gave the same outcome is below <see cref="Packages.Rollout.ShadowCriteria.MinOutcomeAgreement"/>.</summary>
    public const string Agreement = "shadow-agreement";

    /// <summary>The Pearson correlation of the two models' scores is below <see cref="Packages.Rollout.ShadowCriteria.MinScoreCorrelation"/>.</summary>
    public const string Correlation = "shadow-correlation";

    /// <summary>The challenger's median latency is more than <see cref="Packages.Rollout.ShadowCriteria.MaxLatencyRatio"/> times the champion's.</summary>
    public const string Latency = "shadow-latency";
}
