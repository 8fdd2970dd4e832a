using CreditEdge.Modeling.Evaluation;

namespace CreditEdge.Modeling.Adaptation;

/// <summary>The region's test-split figures of the original package's variants (before) and the adapted ones (after).</summary>
public sealed record ModelAdaptResult(string OutputDirectory, long Sequence, IReadOnlyList<VariantEvaluation> Before, IReadOnlyList<VariantEvaluation> After, double PlattA, double PlattB);
