namespace CreditEdge.Core.Rollout;

/// <summary>The figures of a <see cref="ProbationWatch"/> so far and whether they breach its criteria.</summary>
/// <param name="Decisions">Decisions the new model made.</param>
/// <param name="Errors">Requests that failed inside scoring with the new model.</param>
/// <param name="ErrorRate">Errors / (Decisions + Errors); 0 with neither.</param>
/// <param name="ScorePsi">PSI of the decisions' scores against the package's score reference; null without a reference or before the first decision.</param>
/// <param name="LatencyRatio">Median decision latency (over a sample of at most <see cref="ProbationWatch.LatencySampleCapacity"/>) / the previous model's median; 0 before the first decision or without a baseline.</param>
/// <param name="Breached">Whether a check failed: roll back. Final once true.</param>
/// <param name="BreachedCheck">The check that failed first, one of <see cref="ProbationChecks"/>; null when none has.</param>
/// <param name="Summary">One line for people and logs with every figure, its threshold and what was not judged yet.</param>
public sealed record ProbationReport(
    int Decisions,
    int Errors,
    double ErrorRate,
    double? ScorePsi,
    double LatencyRatio,
    bool Breached,
    string? BreachedCheck,
    string Summary);
