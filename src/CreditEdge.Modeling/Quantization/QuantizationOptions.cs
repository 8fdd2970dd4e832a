namespace CreditEdge.Modeling.Quantization;

/// <summary>Static QDQ int8 settings. Defaults are those of the default package.</summary>
public sealed record QuantizationOptions
{
    /// <summary>Activation range choice. Default <see cref="CalibrationMethod.Percentile"/>.</summary>
    public CalibrationMethod Calibration { get; init; } = CalibrationMethod.Percentile;

    /// <summary>Upper percentile for <see cref="CalibrationMethod.Percentile"/> (the lower one is 100 − it). Default 99.99.</summary>
    public double Percentile { get; init; } = 99.99;

    /// <summary>Keep the first Gemm/MatMul (the one reading the encoded raw inputs) in float32. Default false.</summary>
    public bool KeepFirstLayerFloat { get; init; }

    /// <summary>
    /// Keep the last Gemm/MatMul's weights (hidden units → logit; a few dozen) in float32; its input stays quantized so
    /// the layer before still fuses. Default true: it costs a few hundred bytes, and ORT would not fuse that layer into
    /// QGemm anyway (it fuses Gemm + Sigmoid into a float FusedGemm) — with int8 weights it would dequantize them on
    /// every call, unpacked, and the result then depends on the batch size in the last bit.
    /// </summary>
    public bool KeepLastLayerFloat { get; init; } = true;

    /// <summary>
    /// Project the fp32 variant's quantized-layer weights onto their own int8 per-channel grid before it is written
    /// (default true; <see cref="WeightGridProjector"/>), so fp32 and int8 share the same weights and differ only in
    /// activation rounding.
    /// </summary>
    public bool ProjectWeights { get; init; } = true;

    /// <summary>Equalize input and hidden-unit ranges first (<see cref="RangeEqualizer"/>). Default true.</summary>
    public bool Equalize { get; init; } = true;

    /// <summary>Train rows used for calibration (spread evenly over the train split). Default 4000.</summary>
    public int CalibrationRows { get; init; } = 4000;

    /// <summary>One line for the model card and metrics, e.g. "percentile 99.99, all layers int8".</summary>
    public string Describe() =>
        (Calibration == CalibrationMethod.Percentile ? FormattableString.Invariant($"percentile {Percentile}") : "minmax")
        + (KeepFirstLayerFloat || KeepLastLayerFloat
            ? $", {string.Join(" and ", new[] { KeepFirstLayerFloat ? "first" : null, KeepLastLayerFloat ? "last" : null }.OfType<string>())} layer weights kept in float32"
            : ", all layers int8")
        + (Equalize ? ", ranges equalized" : string.Empty)
        + ", 7-bit activation codes (no saturating kernel)"
        + FormattableString.Invariant($", two-digit activations (value + {QdqQuantizer.ResidualFactor} × rounding residual through one QGemm)")
        + (ProjectWeights ? ", fp32 weights projected onto the int8 grid" : string.Empty)
        + FormattableString.Invariant($", {CalibrationRows} calibration rows");
}
