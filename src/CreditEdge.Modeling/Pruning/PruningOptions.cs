namespace CreditEdge.Modeling.Pruning;

/// <summary>Pruning levels and the fine-tuning after each. Defaults: 25/50/70/80/90 %, AUC loss ≤ 0.002, 20 epochs at lr 3e-4.</summary>
public sealed record PruningOptions
{
    public IReadOnlyList<double> Levels { get; init; } = [0.25, 0.5, 0.7, 0.8, 0.9];

    /// <summary>Largest validation-AUC loss against the unpruned student a deployed level may have. Default 0.002.</summary>
    public double MaxAucLoss { get; init; } = 0.002;

    public double FineTuneLearningRate { get; init; } = 3e-4;

    public int FineTuneEpochs { get; init; } = 20;

    public int FineTunePatience { get; init; } = 5;
}
