namespace CreditEdge.Modeling.Quantization;

/// <summary>What the quantizer chose for one Gemm/MatMul: activation range and uint8 parameters, per-channel weight scales and int8 weights.</summary>
public sealed record QuantizedLayer(string Node, double RangeLow, double RangeHigh, float ActivationScale, byte ActivationZeroPoint,
    IReadOnlyList<float> WeightScales, IReadOnlyList<sbyte> Weights);
