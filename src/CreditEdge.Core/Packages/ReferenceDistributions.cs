namespace CreditEdge.Core.Packages;

/// <summary>The training population's score and feature distributions, for drift monitoring on the device.</summary>
public sealed record ReferenceDistributions
{
    public Histogram? Score { get; init; }

    public IReadOnlyDictionary<string, Histogram> Features { get; init; } = new Dictionary<string, Histogram>();
}
