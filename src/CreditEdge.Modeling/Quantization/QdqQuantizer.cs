using CreditEdge.Core.Packages;
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
/// <item>its activation input at two 7-bit digits, per tensor: a symmetric range ±m calibrated on sample rows run through
/// ONNX Runtime, scale = m / 63, zero point 64; the value's code and 126 × its rounding residual's code go through one
/// fused QGemm (see <c>ResidualLayer</c>).</item>
/// </list>
/// Biases stay float; a last layer kept in float reads the float output of the layer before. ORT fuses each layer into
/// QGemm; nothing is computed from the batch at run time, so a row's score does not depend on the other rows (never
/// dynamic quantization).
/// <para>
/// <b>Exact on every CPU.</b> ONNX Runtime's u8×s8 kernels on x86 with AVX2 or AVX-512 but without VNNI
/// multiply with <c>pmaddubsw</c>, which adds each pair of adjacent products in a 16-bit lane with saturation; VNNI and
/// arm64 kernels accumulate in 32 bits. A sum clipped on one CPU and not on another makes the same package score
/// differently. So every uint8 code an activation can take is kept in [0, <see cref="ActivationCodeMax"/>] (a Clip
/// before each QuantizeLinear enforces it for any input, not only calibration-like ones) and weights in
/// [−<see cref="WeightCodeMax"/>, <see cref="WeightCodeMax"/>]: a pair sums to at most 2 · 127 · 127 = 32,258 &lt; 32,767,
/// so no kernel saturates and all of them compute the same integers.
/// </para>
/// </summary>
public static class QdqQuantizer
{
    /// <summary>Largest uint8 code an activation may take: 7 bits, so a pair of u8×s8 products fits a 16-bit lane.</summary>
    public const int ActivationCodeMax = 127;

    /// <summary>Largest |int8 code| of a weight (symmetric, −128 never used).</summary>
    public const int WeightCodeMax = 127;

    /// <summary>Largest |sum of two adjacent u8×s8 products| any quantized layer can produce; fits a saturating int16 lane.</summary>
    public const int LargestProductPair = 2 * ActivationCodeMax * WeightCodeMax;

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
        var appended = new Dictionary<NodeProto, List<NodeProto>>();
        for (var k = 0; k < targets.Count; k++)
        {
            var node = targets[k];
            if (node == floatWeights)
            {
                // the layer before ends in float (QGemm with a float output), so a float last layer reads it as is
                continue;
            }

            var (lo, hi) = Range(values[node.Input[0]], options);
            var symmetric = Math.Max(Math.Abs(lo), Math.Abs(hi));
            var (scale, zeroPoint) = ResidualParameters(symmetric);
            var weight = initializers[node.Input[1]];
            var axis = node.OpType == "Gemm" && node.Attribute.Any(a => a.Name == "transB" && a.I == 1) ? 0 : 1;
            var (quantized, scales) = QuantizeWeights(OnnxGraph.FloatsOf(weight), (int)weight.Dims[0], (int)weight.Dims[1], axis);
            graph.Initializer.Remove(weight);
            graph.Initializer.Add(OnnxGraph.ByteTensor($"w{k}", [weight.Dims[0], weight.Dims[1]], TensorProto.Types.DataType.Int8, quantized.Select(q => unchecked((byte)q)).ToArray()));
            graph.Initializer.Add(OnnxGraph.FloatTensor($"w{k}s", [scales.Length], scales));
            graph.Initializer.Add(OnnxGraph.ByteTensor($"w{k}z", [scales.Length], TensorProto.Types.DataType.Int8, new byte[scales.Length]));
            (inserted[node], appended[node]) = ResidualLayer(graph, node, k, scale, zeroPoint, axis);
            layers.Add(new QuantizedLayer(node.Name, -symmetric, symmetric, scale, zeroPoint, scales, quantized));
        }

        var ordered = new List<NodeProto>();
        foreach (var node in graph.Node)
        {
            if (inserted.TryGetValue(node, out var before))
            {
                ordered.AddRange(before);
            }

            ordered.Add(node);
            if (appended.TryGetValue(node, out var after))
            {
                ordered.AddRange(after);
            }
        }

        // two-digit layers add a dozen nodes; unnamed (ONNX allows it, ORT names them itself) the int8 file stays within a
        // third of the fp32 one
        ordered.ForEach(n => n.Name = string.Empty);

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

            scales[c] = largest > 0 ? largest / WeightCodeMax : 1f;
        }

        var quantized = new sbyte[weights.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var col = 0; col < columns; col++)
            {
                var index = (r * columns) + col;
                var scale = scales[axis == 1 ? col : r];
                quantized[index] = (sbyte)Math.Clamp(MathF.Round(weights[index] / scale, MidpointRounding.ToEven), -WeightCodeMax, WeightCodeMax);
            }
        }

        return (quantized, scales);
    }

    /// <summary>
    /// uint8 parameters of a residual-mode activation whose calibrated |values| reach <paramref name="largest"/>: zero point
    /// 64 and scale largest / 63, so the value (|x| ≤ 63·scale) and 126 × its rounding residual (|126·r| ≤ 63·scale) both
    /// take codes in [1, 127].
    /// </summary>
    public static (float Scale, byte ZeroPoint) ResidualParameters(double largest) =>
        largest > 0 ? ((float)(largest / ResidualLevels), ResidualZeroPoint) : (1f, ResidualZeroPoint);

    /// <summary>The factor the rounding residual is scaled by before its own rounding: |residual| ≤ scale / 2 → |code − 64| ≤ 63.</summary>
    public const float ResidualFactor = 2 * ResidualLevels;

    /// <summary>Codes either side of the residual zero point.</summary>
    private const int ResidualLevels = 63;

    private const byte ResidualZeroPoint = 64;

    /// <summary>
    /// Rewrites <paramref name="node"/> (Y = A·W (+ C)) so that it reads A at two 7-bit digits through ONE int8 weight matrix:
    /// a = Clip(A, ±63·scale), q = Q(a), r = a − DQ(q), e = Q(r) at scale / 126; the uint8 rows [q; e] are dequantized with
    /// A's scale (so the bottom block reads 126·r) and multiplied by W in a single Gemm (ORT: one QGemm with a float output),
    /// and Y = top + bottom / 126 (+ C). The input error is at most scale / 252 instead of scale / 2. Returns the nodes
    /// that go before and after the Gemm.
    /// </summary>
    private static (List<NodeProto> Before, List<NodeProto> After) ResidualLayer(GraphProto graph, NodeProto node, int k, float scale, byte zeroPoint, int axis)
    {
        if (node.Attribute.Any(a => a.Name == "transA" && a.I == 1))
        {
            throw new ModelBuildException($"residual activations need Gemm '{node.Name}' without transA");
        }

        var activation = node.Input[0];
        var output = node.Output[0];
        graph.Initializer.Add(OnnxGraph.FloatTensor($"x{k}s", [], [scale]));
        graph.Initializer.Add(OnnxGraph.FloatTensor($"x{k}t", [], [scale / ResidualFactor]));
        graph.Initializer.Add(OnnxGraph.ByteTensor($"x{k}z", [], TensorProto.Types.DataType.Uint8, [zeroPoint]));
        if (!graph.Initializer.Any(t => t.Name == "rf"))
        {
            graph.Initializer.Add(OnnxGraph.FloatTensor("rf", [], [ResidualFactor]));
        }

        // top digit q = Q(x); residual r = x − DQ(q); bottom digit Q(r) at scale / 254; both uint8 blocks are read back
        // with the top digit's scale, so the bottom rows hold 254·r and one QGemm multiplies both by W
        var before = new List<NodeProto>
        {
            ClipToCodes(graph, activation, k, scale, zeroPoint),
            OnnxGraph.Node("QuantizeLinear", string.Empty, [$"x{k}c", $"x{k}s", $"x{k}z"], [$"x{k}q"]),
            OnnxGraph.Node("DequantizeLinear", string.Empty, [$"x{k}q", $"x{k}s", $"x{k}z"], [$"x{k}d"]),
            OnnxGraph.Node("Sub", string.Empty, [$"x{k}c", $"x{k}d"], [$"x{k}r"]),
            OnnxGraph.Node("QuantizeLinear", string.Empty, [$"x{k}r", $"x{k}t", $"x{k}z"], [$"x{k}e"]),
            OnnxGraph.Node("Concat", string.Empty, [$"x{k}q", $"x{k}e"], [$"x{k}b"], OnnxGraph.IntAttribute("axis", 0)),
            OnnxGraph.Node("DequantizeLinear", string.Empty, [$"x{k}b", $"x{k}s", $"x{k}z"], [$"x{k}cd"]),
            OnnxGraph.Node("DequantizeLinear", string.Empty, [$"w{k}", $"w{k}s", $"w{k}z"], [$"w{k}d"], OnnxGraph.IntAttribute("axis", axis)),
        };
        var bias = node.OpType == "Gemm" && node.Input.Count > 2 ? node.Input[2] : null;
        node.Input.Clear();
        node.Input.Add($"x{k}cd");
        node.Input.Add($"w{k}d");
        node.Output[0] = $"y{k}";
        var after = new List<NodeProto>
        {
            OnnxGraph.Node("Split", string.Empty, [$"y{k}"], [$"y{k}h", $"y{k}l"], OnnxGraph.IntAttribute("axis", 0)),
            OnnxGraph.Node("Div", string.Empty, [$"y{k}l", "rf"], [$"y{k}e"]),
            OnnxGraph.Node("Add", string.Empty, [$"y{k}h", $"y{k}e"], [bias is null ? output : $"y{k}a"]),
        };
        if (bias is not null)
        {
            after.Add(OnnxGraph.Node("Add", string.Empty, [$"y{k}a", bias], [output]));
        }

        return (before, after);
    }

    /// <summary>
    /// Clip(<paramref name="activation"/>) → <c>x{k}c</c> to the values whose codes lie in [0, 127] at this scale and zero
    /// point (QuantizeLinear itself would saturate only at 255). ORT keeps a Clip narrower than the QuantizeLinear range.
    /// </summary>
    private static NodeProto ClipToCodes(GraphProto graph, string activation, int k, float scale, byte zeroPoint)
    {
        graph.Initializer.Add(OnnxGraph.FloatTensor($"x{k}lo", [], [(0 - zeroPoint) * scale]));
        graph.Initializer.Add(OnnxGraph.FloatTensor($"x{k}hi", [], [(ActivationCodeMax - zeroPoint) * scale]));
        return OnnxGraph.Node("Clip", string.Empty, [activation, $"x{k}lo", $"x{k}hi"], [$"x{k}c"]);
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
        using var outputs = session.Run(runOptions, [ModelContract.InputName], [input], [.. tensors]);
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (var i = 0; i < tensors.Length; i++)
        {
            result[tensors[i]] = outputs[i].GetTensorDataAsSpan<float>().ToArray();
        }

        return result;
    }
}
