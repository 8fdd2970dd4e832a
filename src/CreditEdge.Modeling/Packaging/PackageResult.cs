using CreditEdge.Core.Policy;
using CreditEdge.Modeling.Evaluation;

namespace CreditEdge.Modeling.Packaging;

/// <summary>What a written package holds: where, the fp32 variant's train and test figures, the policy, the full report.</summary>
public sealed record PackageResult(string Directory, EvaluationResult Train, EvaluationResult Test, ScorePolicy Policy, LightweightingReport Report, int GoldenRecords);
