using CreditEdge.Core.Policy;
using CreditEdge.Modeling.Evaluation;
using CreditEdge.Modeling.Training;

namespace CreditEdge.Modeling;

/// <summary>What a model build produced and how good it is (Train/Test: the packaged fp32 variant).</summary>
public sealed record ModelBuildResult(
    string OutputDirectory,
    EvaluationResult Train,
    EvaluationResult Test,
    ScorePolicy Policy,
    TrainingSummary Training,
    TimeSpan TrainingTime,
    int GoldenRecords,
    LightweightingReport Report);
