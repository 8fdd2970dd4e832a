namespace CreditEdge.Modeling.Training;

/// <summary>What happened during training, for metrics and the model card.</summary>
public sealed record TrainingSummary(
    int TrainRows,
    int ValidationRows,
    int EpochsRun,
    int BestEpoch,
    double BestValidationLoss);
