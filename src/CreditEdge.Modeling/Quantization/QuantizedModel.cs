using Onnx;

namespace CreditEdge.Modeling.Quantization;

/// <summary>The int8 graph and, per quantized layer, what was chosen.</summary>
public sealed record QuantizedModel(ModelProto Onnx, IReadOnlyList<QuantizedLayer> Layers);
