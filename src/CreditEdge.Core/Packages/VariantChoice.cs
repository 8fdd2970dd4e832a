namespace CreditEdge.Core.Packages;

/// <summary>Which variant of a package runs on this device and why (reported by <c>/v1/model</c>, status and telemetry).</summary>
public sealed record VariantChoice
{
    /// <summary><c>auto</c> (measured at load) or <c>configured</c> (<c>Models:Variant</c> named it).</summary>
    public required string Mode { get; init; }

    public required string Variant { get; init; }

    /// <summary>The CPU's integer-kernel family the measurement was made on, e.g. <c>x86-64 AVX2 without VNNI</c>.</summary>
    public required string Cpu { get; init; }

    /// <summary>One sentence, e.g. "fastest variant that reproduced golden: fp32 6.1 µs, int8 9.8 µs".</summary>
    public required string Reason { get; init; }

    /// <summary>Every variant tried, in manifest order.</summary>
    public required IReadOnlyList<VariantTrial> Trials { get; init; }
}
