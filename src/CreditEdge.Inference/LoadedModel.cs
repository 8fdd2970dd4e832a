using CreditEdge.Core.Decisions;
using CreditEdge.Core.Drift;
using CreditEdge.Core.Packages;

namespace CreditEdge.Inference;

/// <summary>A package whose chosen variant is open in ORT, passed its golden check and is ready to decide.</summary>
public sealed class LoadedModel : IDisposable
{
    private LoadedModel(ModelPackage package, ModelVariant variant, OnnxScorer scorer, int goldenChecked)
    {
        Package = package;
        Variant = variant;
        Scorer = scorer;
        GoldenChecked = goldenChecked;
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

    /// <summary>
    /// Loads the package in <paramref name="directory"/>, opens <paramref name="variantName"/> (or the first variant when null)
    /// and replays the golden set. Throws <see cref="ModelPackageException"/> naming the check that failed.
    /// </summary>
    public static LoadedModel Load(string directory, string? variantName = null, OnnxScorerOptions? options = null)
    {
        var package = ModelPackage.Load(directory);
        var variant = variantName is null ? package.Manifest.Variants[0] : package.Variant(variantName);
        var scorer = OnnxScorer.Load(package.PathOf(variant), options);
        try
        {
            if (scorer.FeatureCount != package.Schema.Count)
            {
                throw new ModelPackageException("input-shape", $"'{variant.File}' takes {scorer.FeatureCount} features; the manifest lists {package.Schema.Count}");
            }

            var goldenChecked = GoldenCheck.Verify(package, scorer, variant.Name);
            return new LoadedModel(package, variant, scorer, goldenChecked);
        }
        catch
        {
            scorer.Dispose();
            throw;
        }
    }

    public void Dispose() => Scorer.Dispose();
}
