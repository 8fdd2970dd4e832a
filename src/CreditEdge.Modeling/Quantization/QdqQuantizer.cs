using CreditEdge.Modeling.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace CreditEdge.Modeling.Quantization;

/// <summary>
/// Static QDQ int8 quantization of an fp32 ONNX graph, written with the OnnxSharp classes. Every Gemm/MatMul whose
/// weight is a float initializer gets (unless kept in float):
/// <list type="bullet">
/// <item>weights int8, symmetric, per output channel: scale_c = max|W[:, c]| / 127, q = round_half_even(w / scale_c)
/// clamped to [−127, 127], zero point 0, restored by DequantizeLinear(axis = the output-channel axis);</item>
/// <item>its activation input uint8, asymmetric, per tensor: a range [lo, hi] (widened to hold 0) calibrated on sample
/// rows run through ONNX Runtime, scale = (hi − lo) / 255, zero point = round(−lo / scale), as QuantizeLinear →
/// DequantizeLinear.</item>
/// </list>
/// Biases stay float. ORT fuses the pattern into QGemm/QLinearMatMul; nothing is computed from the batch at run time,
/// so a row's score does not depend on the other rows (never dynamic quantization).
/// </summary>
public static class QdqQuantizer
{
    /// <summary>Quantizes <paramref name="fp32"/> (left untouched) with activation ranges calibrated on <paramref name="rows"/> raw rows.</summary>
    public static QuantizedModel Quantize(ModelProto fp32, ReadOnlySpan<float> calibration, int rows, QuantizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(fp32);
        ArgumentNullException.ThrowIfNull(options);
        var model = fp32.Clone();
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var targets = graph.Node
            .Where(n => n.OpType is "Gemm" or "MatMul" && n.Input.Count >= 2 && initializers.TryGetValue(n.Input[1], out var w)
                && w.DataType == (int)TensorProto.Types.DataType.Float && w.Dims.Count == 2)
            .ToList();
        var first = targets.FirstOrDefault();
        var last = targets.LastOrDefault();
        if (options.KeepFirstLayerFloat)
        {
            targets.Remove(first!);
        }

        // a last layer kept in float keeps its float weights (a constant ORT pre-packs, as in the fp32 graph) but still
        // reads a quantized input, so the layer before it ends in Q and fuses into QGemm with a uint8 output
        var floatWeights = options.KeepLastLayerFloat ? last : null;

        var activations = targets.Select(n => n.Input[0]).Distinct(StringComparer.Ordinal).ToArray();
        var values = Calibrate(fp32, activations, calibration, rows);
        var layers = new List<QuantizedLayer>();
        var inserted = new Dictionary<NodeProto, List<NodeProto>>();
        var activationNames = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var k = 0; k < targets.Count; k++)
        {
            var node = targets[k];
            var before = new List<NodeProto>();
            var activation = node.Input[0];
            var (lo, hi) = Range(values[activation], options);
            var (scale, zeroPoint) = UInt8Parameters(lo, hi);
            if (!activationNames.TryGetValue(activation, out var dequantized))
            {
                dequantized = $"x{k}d";
                graph.Initializer.Add(OnnxGraph.FloatTensor($"x{k}s", [], [scale]));
                graph.Initializer.Add(OnnxGraph.ByteTensor($"x{k}z", [], TensorProto.Types.DataType.Uint8, [zeroPoint]));
                before.Add(OnnxGraph.Node("QuantizeLinear", $"x{k}Q", [activation, $"x{k}s", $"x{k}z"], [$"x{k}q"]));
                before.Add(OnnxGraph.Node("DequantizeLinear", $"x{k}D", [$"x{k}q", $"x{k}s", $"x{k}z"], [dequantized]));
                activationNames[activation] = dequantized;
            }

            node.Input[0] = dequantized;
            if (node == floatWeights)
            {
                inserted[node] = before;
                continue;
            }

            var weight = initializers[node.Input[1]];
            var transposed = node.OpType == "Gemm" && node.Attribute.Any(a => a.Name == "transB" && a.I == 1);
            var axis = transposed ? 0 : 1;
            var (quantized, scales) = QuantizeWeights(OnnxGraph.FloatsOf(weight), (int)weight.Dims[0], (int)weight.Dims[1], axis);
            graph.Initializer.Remove(weight);
            var channels = scales.Length;
            graph.Initializer.Add(OnnxGraph.ByteTensor($"w{k}", [weight.Dims[0], weight.Dims[1]], TensorProto.Types.DataType.Int8, quantized.Select(q => unchecked((byte)q)).ToArray()));
            graph.Initializer.Add(OnnxGraph.FloatTensor($"w{k}s", [channels], scales));
            graph.Initializer.Add(OnnxGraph.ByteTensor($"w{k}z", [channels], TensorProto.Types.DataType.Int8, new byte[channels]));
            before.Add(OnnxGraph.Node("DequantizeLinear", $"w{k}D", [$"w{k}", $"w{k}s", $"w{k}z"], [$"w{k}d"], OnnxGraph.IntAttribute("axis", axis)));
            node.Input[1] = $"w{k}d";
            inserted[node] = before;
            layers.Add(new QuantizedLayer(node.Name, lo, hi, scale, zeroPoint, scales, quantized));
        }

        var ordered = new List<NodeProto>();
        foreach (var node in graph.Node)
        {
            if (inserted.TryGetValue(node, out var before))
            {
                ordered.AddRange(before);
            }

            ordered.Add(node);
        }

        graph.Node.Clear();
        graph.Node.AddRange(ordered);
        graph.Name += "_int8";
        return new QuantizedModel(model, layers);
    }

    /// <summary>Per-channel symmetric int8 weights of a [rows × columns] row-major matrix; channels along <paramref name="axis"/>.</summary>
    public static (sbyte[] Quantized, float[] Scales) QuantizeWeights(float[] weights, int rows, int columns, int axis)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var channels = axis == 1 ? columns : rows;
        var scales = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            var largest = 0f;
            for (var i = 0; i < (axis == 1 ? rows : columns); i++)
            {
                largest = Math.Max(largest, Math.Abs(weights[axis == 1 ? (i * columns) + c : (c * columns) + i]));
            }

            scales[c] = largest > 0 ? largest / 127f : 1f;
        }

        var quantized = new sbyte[weights.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var col = 0; col < columns; col++)
            {
                var index = (r * columns) + col;
                var scale = scales[axis == 1 ? col : r];
                quantized[index] = (sbyte)Math.Clamp(MathF.Round(weights[index] / scale, MidpointRounding.ToEven), -127, 127);
            }
        }

        return (quantized, scales);
    }

    /// <summary>uint8 scale and zero point for the range [lo, hi] widened to include 0 (as ONNX quantizers do).</summary>
    public static (float Scale, byte ZeroPoint) UInt8Parameters(double lo, double hi)
    {
        lo = Math.Min(lo, 0);
        hi = Math.Max(hi, 0);
        if (hi - lo <= 0)
        {
            return (1f, 0);
        }

        var scale = (float)((hi - lo) / 255);
        var zeroPoint = (byte)Math.Clamp(Math.Round(-lo / scale, MidpointRounding.ToEven), 0, 255);
        return (scale, zeroPoint);
    }

    private static (double Lo, double Hi) Range(float[] values, QuantizationOptions options)
    {
        if (options.Calibration == CalibrationMethod.MinMax)
        {
            return (values.Min(), values.Max());
        }

        var sorted = values.Select(v => (double)v).Order().ToArray();
        return (Evaluation.Quantiles.Of(sorted, 1 - (options.Percentile / 100)), Evaluation.Quantiles.Of(sorted, options.Percentile / 100));
    }

    /// <summary>Runs the fp32 graph in ORT with the named intermediate tensors exposed as outputs and returns their values.</summary>
    private static Dictionary<string, float[]> Calibrate(ModelProto fp32, string[] tensors, ReadOnlySpan<float> calibration, int rows)
    {
        var probe = fp32.Clone();
        foreach (var name in tensors)
        {
            probe.Graph.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        }

        using var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(probe.ToByteArray(), options);
        var width = calibration.Length / Math.Max(rows, 1);
        using var input = OrtValue.CreateTensorValueFromMemory(calibration.ToArray(), [rows, width]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [OnnxModelWriter.InputName], [input], [.. tensors]);
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (var i = 0; i < tensors.Length; i++)
        {
            result[tensors[i]] = outputs[i].GetTensorDataAsSpan<float>().ToArray();
        }

        return result;
    }
}
