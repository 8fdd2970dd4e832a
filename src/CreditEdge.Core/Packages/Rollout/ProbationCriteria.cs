namespace CreditEdge.Core.Packages.Rollout;

/// <summary>
/// How a device watches a package after switching to it: for <see cref="Decisions"/> decisions and at least
/// <see cref="Duration"/>, it rolls back by itself if the score's PSI against the package's reference exceeds
/// <see cref="MaxScorePsi"/>, the share of failed scoring calls exceeds <see cref="MaxErrorRate"/> (0–1), or latency
/// exceeds <see cref="MaxLatencyRatio"/> (≥ 1) times the previous package's.
/// </summary>
public sealed record ProbationCriteria(int Decisions, TimeSpan Duration, double MaxScorePsi, double MaxErrorRate, double MaxLatencyRatio)
{
    public static ProbationCriteria Default { get; } = new(500, TimeSpan.FromHours(24), 0.25, 0.01, 3.0);
}
