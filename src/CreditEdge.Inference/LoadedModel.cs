using CreditEdge.Core.Decisions;
using CreditEdge.Core.Drift;
using CreditEdge.Core.Packages;

namespace CreditEdge.Inference;

/// <summary>
/// A package whose chosen variant is open in ORT, passed its golden replay on this CPU and is ready to decide.
/// A host that replaces it while requests may still use it counts their leases (<see cref="TryAcquire"/> /
/// <see cref="Release"/>) and closes it with <see cref="TryRetire"/>, which succeeds only when no lease is held.
/// </summary>
public sealed class LoadedModel : IDisposable
{
    // _leases >= 0: that many callers hold the model; RetiredMark: closed, no new lease is given
    private const int RetiredMark = int.MinValue;
    private int _leases;

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

    /// <summary>Leases held right now (callers between <see cref="TryAcquire"/> and <see cref="Release"/>); negative once retired.</summary>
    public int Leases => Volatile.Read(ref _leases);

    /// <summary>True once <see cref="TryRetire"/> closed the ORT session.</summary>
    public bool IsRetired => Volatile.Read(ref _leases) == RetiredMark;

    /// <summary>Takes a lease: the ORT session stays open until <see cref="Release"/>. False once the model is retired.</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            var leases = Volatile.Read(ref _leases);
            if (leases < 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _leases, leases + 1, leases) == leases)
            {
                return true;
            }
        }
    }

    /// <summary>Returns a lease taken with <see cref="TryAcquire"/>.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _leases) < 0)
        {
            throw new InvalidOperationException("a lease was released that was never taken");
        }
    }

    /// <summary>
    /// Closes the ORT session if no lease is held, atomically with refusing every later <see cref="TryAcquire"/>; false
    /// (nothing changes) while a lease is held or when already retired.
    /// </summary>
    public bool TryRetire()
    {
        if (Interlocked.CompareExchange(ref _leases, RetiredMark, 0) != 0)
        {
            return false;
        }

        Scorer.Dispose();
        return true;
    }

    /// <summary>Closes the ORT session whatever the leases (the owner's shutdown).</summary>
    public void Dispose() => Scorer.Dispose();
}
