using CreditEdge.Core.Decisions;
using CreditEdge.Core.Drift;
using CreditEdge.Core.Packages;

namespace CreditEdge.Inference;

/// <summary>A package whose chosen variant is open in ORT, passed its golden replay on this CPU and is ready to decide.</summary>
public sealed class LoadedModel : IDisposable
{
    private LoadedModel(ModelPackage package, ModelVariant variant, OnnxScorer scorer, int goldenChecked, VariantChoice choice)
    {
        Package = package;
        Variant = variant;
        Scorer = scorer;
        GoldenChecked = goldenChecked;
        Choice = choice;
        Ref = new ModelRef(package.Manifest.Id, package.Manifest.Version, variant.Sha256, variant.Name);
        Engine = new DecisionEngine(package, scorer, Ref);
        Drift = new DriftMonitor(package.Manifest.Features.Select(f => f.Name).ToArray(), package.Manifest.Reference);
    }

    public ModelPackage Package { get; }

    public ModelVariant Variant { get; }

    public OnnxScorer Scorer { get; }

    public DecisionEngine Engine { get; }

    public ModelRef Ref { get; }

    /// <summary>Drift of this model's applicants against its package's reference distributions.</summary>
    public DriftMonitor Drift { get; }

    /// <summary>How many golden records the variant reproduced at load.</summary>
    public int GoldenChecked { get; }

    /// <summary>Why this variant runs: each variant's golden replay and measured cost on this CPU.</summary>
    public VariantChoice Choice { get; }

    /// <summary>
    /// Loads the package in <paramref name="directory"/> and opens <paramref name="variantName"/>, or with null/<c>auto</c>
    /// the fastest variant that replays golden on this CPU (<see cref="VariantSelection"/>). Throws
    /// <see cref="ModelPackageException"/> naming the check that failed.
    /// </summary>
    public static LoadedModel Load(string directory, string? variantName = null, OnnxScorerOptions? options = null, TimeProvider? timeProvider = null)
    {
        var package = ModelPackage.Load(directory);
        var (scorer, variant, choice, golden) = VariantSelection.Choose(package, variantName, options ?? OnnxScorerOptions.Default, timeProvider ?? TimeProvider.System);
        return new LoadedModel(package, variant, scorer, golden, choice);
    }

    public void Dispose() => Scorer.Dispose();
}
