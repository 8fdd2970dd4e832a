namespace CreditEdge.Modeling.Evaluation;

/// <summary>Everything measured for one variant on the test split.</summary>
public sealed record VariantEvaluation
{
    public required string Name { get; init; }

    public required string Description { get; init; }

    public required string Precision { get; init; }

    /// <summary>Whether the variant is in the package (the teacher and unused pruning levels are not).</summary>
    public required bool Deployed { get; init; }

    public required EvaluationResult Test { get; init; }

    public required double Ece { get; init; }

    public required long SizeBytes { get; init; }

    public required long GzipBytes { get; init; }

    public double Sparsity { get; init; }

    public RuntimeCost? Cost { get; init; }

    public IReadOnlyList<GroupFairness> Fairness { get; init; } = [];

    /// <summary>ORT's probability per test row (for plots and parity; not serialized).</summary>
    public required IReadOnlyList<double> Probabilities { get; init; }
}
