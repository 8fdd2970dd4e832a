using CreditEdge.Modeling.Pruning;

namespace CreditEdge.Modeling.Evaluation;

/// <summary>Everything <c>metrics.json</c>, <c>report.html</c> and the model card say about a build (or an adaptation).</summary>
public sealed record LightweightingReport
{
    public required string Title { get; init; }

    public required IReadOnlyList<VariantEvaluation> Variants { get; init; }

    /// <summary>fp32 ↔ int8 parity of the packaged variants.</summary>
    public required ParityResult Parity { get; init; }

    /// <summary>Labels of the test rows, in the order of each variant's probabilities.</summary>
    public required IReadOnlyList<int> Labels { get; init; }

    public IReadOnlyList<PruningStep> Pruning { get; init; } = [];

    /// <summary>How each step was set up, e.g. "distillation" → "T = 2, α = 0.3"; written in this order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; } = [];

    /// <summary>Seconds per step of the build, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> StepSeconds { get; init; } = [];

    public VariantEvaluation Variant(string name) => Variants.First(v => v.Name == name);
}
