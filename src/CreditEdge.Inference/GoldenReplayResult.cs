using System.Diagnostics.CodeAnalysis;

namespace CreditEdge.Inference;

/// <summary>One variant's golden replay: records replayed, the largest |Δ| probability, and the first failure (null when it passed).</summary>
public sealed record GoldenReplayResult(string Variant, int Records, double MaxDelta, string? Failure)
{
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Passed => Failure is null;
}
