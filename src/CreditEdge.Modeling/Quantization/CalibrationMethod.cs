namespace CreditEdge.Modeling.Quantization;

/// <summary>How an activation's int8 range is chosen from its calibration values.</summary>
public enum CalibrationMethod
{
    /// <summary>The smallest and largest value seen: nothing clips, but one outlier wastes resolution.</summary>
    MinMax,

    /// <summary>The p-th and (100 − p)-th percentiles (<see cref="QuantizationOptions.Percentile"/>): rare outliers clip.</summary>
    Percentile,
}
