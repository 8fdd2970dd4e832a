namespace CreditEdge.Modeling.Training;

/// <summary>How the network is trained. Defaults are the ones the default package was built with.</summary>
public sealed record TrainingOptions
{
    /// <summary>Seeds weight initialization, the validation slice and batch order. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Widths of the hidden ReLU layers. Default [128, 64]: wide enough that int8 weights dominate the file (int8 ≤ 1/3 of fp32).</summary>
    public IReadOnlyList<int> HiddenLayers { get; init; } = [128, 64];

    /// <summary>The loss when a teacher is given (labels only otherwise). Default T = 2, α = 0.3.</summary>
    public DistillationLoss Distillation { get; init; } = new();

    /// <summary>Adam step size. Default 0.001.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Examples per Adam step. Default 128.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>L2 penalty on weights (not biases), added as <c>l2 · w</c> to the mean batch gradient. Default 1e-4.</summary>
    public double L2 { get; init; } = 1e-4;

    /// <summary>Upper bound on passes over the training rows. Default 200.</summary>
    public int MaxEpochs { get; init; } = 200;

    /// <summary>Stop after this many epochs without a better validation loss. Default 15.</summary>
    public int Patience { get; init; } = 15;

    /// <summary>Share of the TRAIN split held out for early stopping (never the test split). Default 0.1.</summary>
    public double ValidationFraction { get; init; } = 0.1;
}
