namespace CreditEdge.Core.Rollout;

/// <summary>
/// The figures of a <see cref="ShadowTrial"/> and its verdict. Figures with nothing compared are 0.
/// </summary>
/// <param name="Compared">Requests both models scored.</param>
/// <param name="ChallengerFailures">Requests the challenger failed (threw, NaN or out-of-range probability); never compared.</param>
/// <param name="OutcomeAgreement">Share of compared requests with the same outcome, 0…1.</param>
/// <param name="ScoreCorrelation">Pearson correlation of the two models' scores, −1…1; 1 if both are constant and equal, 0 if either is constant otherwise.</param>
/// <param name="LatencyRatio">Challenger's median latency / champion's median latency (over a sample of at most <see cref="ShadowTrial.LatencySampleCapacity"/> pairs).</param>
/// <param name="Passed">Whether the challenger may go live: no check failed. Only true once the trial is complete.</param>
/// <param name="FailedCheck">The first check that failed, one of <see cref="ShadowChecks"/>; null when passed.</param>
/// <param name="Summary">One line for people and logs with every figure and its threshold.</param>
public sealed record ShadowReport(
    int Compared,
    int ChallengerFailures,
    double OutcomeAgreement,
    double ScoreCorrelation,
    double LatencyRatio,
    bool Passed,
    string? FailedCheck,
    string Summary);
