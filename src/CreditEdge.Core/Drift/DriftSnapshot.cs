namespace CreditEdge.Core.Drift;

/// <summary>
/// PSI of the scores and of each feature seen since the last snapshot against the package's reference distributions.
/// Only bin counts leave the device, never applicant data.
/// </summary>
public sealed record DriftSnapshot(long Observations, double? ScorePsi, IReadOnlyDictionary<string, double> FeaturePsi);
