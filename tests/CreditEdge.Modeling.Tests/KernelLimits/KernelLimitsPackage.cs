using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Policy;
using CreditEdge.Core.Schema;
using CreditEdge.Modeling.Onnx;
using CreditEdge.Modeling.Packaging;
using CreditEdge.Modeling.Quantization;
using CreditEdge.Modeling.Tests.TestKit;
using Google.Protobuf;
using Onnx;

namespace CreditEdge.Modeling.Tests.KernelLimits;

/// <summary>
/// A 4 → 4 → 2 → 1 network whose int8 variant drives every quantized layer to the top of every range: activation codes
/// 127 (and 0/1 at the bottom, residual codes 1 and 127) against weight codes ±127 in every lane of every pair, so each
/// pair of u8×s8 products reaches ±2·127·127 = ±32,258 — the largest sum a saturating 16-bit lane must hold. Its golden
/// values are computed by hand (double precision, the two-digit scheme written out), not by ONNX Runtime, and it is
/// committed as a package (tests/packages/kernel-limits) so CI replays it on every CPU kernel path beside the default model.
/// </summary>
public static class KernelLimitsPackage
{
    public const string Id = "kernel-limits";

    /// <summary>Input range: calibration spans exactly [−2, 2], so 2 takes code 127 and −2 code 1.</summary>
    public const float Top = 2f;

    // layer 0 [inputs × outputs]: every column's weight codes are ±127 in every lane; on [2, 2, 2, 2] units 0 and 1 reach
    // the hidden maximum 8 together, on [2, −2, 2, −2] units 2 and 3 do, so layer 1 reads codes 127 in both lanes of a pair
    private static readonly float[] W0 =
    [
        1, 0.5f, 1, 0.5f,
        1, 0.5f, -1, -0.5f,
        1, 0.5f, 1, 0.5f,
        1, 0.5f, -1, -0.5f,
    ];

    private static readonly float[] B0 = [0, 4, 0, 4];

    // layer 1 [4 × 2]: column 0 codes +127, column 1 codes −127 (its bias keeps the unit above 0, so nothing hides behind ReLU)
    private static readonly float[] W1 = [1, -0.5f, 1, -0.5f, 1, -0.5f, 1, -0.5f];

    private static readonly float[] B1 = [-6, 12];

    // last layer (kept float) [2 × 1]
    private static readonly float[] W2 = [0.08f, -0.1f];

    private static readonly float[] B2 = [0.3f];

    /// <summary>Rows replayed as golden: the top and bottom of the range in every lane, beyond it (clipped), residual extremes, mixtures.</summary>
    public static float[][] Rows { get; } =
    [
        [Top, Top, Top, Top],
        [-Top, -Top, -Top, -Top],
        [Top, -Top, Top, -Top],
        [-Top, Top, -Top, Top],
        [50, 50, 50, 50],
        [-50, -50, -50, -50],
        [Top / 63 * 0.5f, Top / 63 * 1.5f, -Top / 63 * 0.5f, -Top / 63 * 2.5f],
        [1.234f, -0.777f, 0.05f, 1.999f],
        [0, 0, 0, 0],
        [Top, Top, -Top, -Top],
        [0.3f, -1.9f, 100, -100],
    ];

    /// <summary>Calibration rows: span [−2, 2] on every input and reach the hidden maxima of the golden rows.</summary>
    public static float[] Calibration { get; } = [.. Rows.Take(4).SelectMany(r => r)];

    public static QuantizationOptions Options { get; } = new() { Calibration = CalibrationMethod.MinMax };

    public static ModelProto Fp32()
    {
        var graph = new GraphProto { Name = Id };
        graph.Input.Add(OnnxGraph.FloatValue(ModelContract.InputName, 4));
        graph.Output.Add(OnnxGraph.FloatValue(ModelContract.OutputName, 1));
        graph.Initializer.Add(OnnxGraph.FloatTensor("W0", [4, 4], W0));
        graph.Initializer.Add(OnnxGraph.FloatTensor("B0", [4], B0));
        graph.Initializer.Add(OnnxGraph.FloatTensor("W1", [4, 2], W1));
        graph.Initializer.Add(OnnxGraph.FloatTensor("B1", [2], B1));
        graph.Initializer.Add(OnnxGraph.FloatTensor("W2", [2, 1], W2));
        graph.Initializer.Add(OnnxGraph.FloatTensor("B2", [1], B2));
        graph.Node.Add(OnnxGraph.Node("Gemm", "g0", [ModelContract.InputName, "W0", "B0"], ["h0"]));
        graph.Node.Add(OnnxGraph.Node("Relu", "r0", ["h0"], ["a0"]));
        graph.Node.Add(OnnxGraph.Node("Gemm", "g1", ["a0", "W1", "B1"], ["h1"]));
        graph.Node.Add(OnnxGraph.Node("Relu", "r1", ["h1"], ["a1"]));
        graph.Node.Add(OnnxGraph.Node("Gemm", "g2", ["a1", "W2", "B2"], ["z"]));
        graph.Node.Add(OnnxGraph.Node("Sigmoid", "s", ["z"], [ModelContract.OutputName]));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        return model;
    }

    public static QuantizedModel Quantized() => QdqQuantizer.Quantize(Fp32(), Calibration, Rows.Take(4).Count(), Options);

    /// <summary>The fp32 graph by hand, in double.</summary>
    public static double HandFp32(float[] x)
    {
        var h0 = Layer(x.Select(v => (double)v).ToArray(), W0, B0, 4, relu: true);
        var h1 = Layer(h0, W1, B1, 2, relu: true);
        return Sigmoid(Layer(h1, W2, B2, 1, relu: false)[0]);
    }

    /// <summary>
    /// The int8 graph by hand: each quantized layer clips its input to codes [0, 127], takes the top digit q and the
    /// residual digit e at scale / 126, multiplies the integer codes (minus zero point) by the integer weights, and
    /// rescales; the last layer is float. Every integer sum is formed exactly, as a non-saturating kernel would.
    /// </summary>
    /// <param name="onCodes">Called for each quantized layer with its top-digit and residual-digit codes (uint8, zero point included).</param>
    public static double HandInt8(float[] x, IReadOnlyList<QuantizedLayer> layers, Action<QuantizedLayer, int[], int[]>? onCodes = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var h0 = QuantizedLayer(x, layers[0], B0, relu: true, onCodes);
        var h1 = QuantizedLayer(h0, layers[1], B1, relu: true, onCodes);
        return Sigmoid(Layer(h1.Select(v => (double)v).ToArray(), W2, B2, 1, relu: false)[0]);
    }

    /// <summary>Writes the package (manifest, both variants, golden.jsonl with hand-computed expectations) into <paramref name="directory"/>.</summary>
    public static void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var int8 = Quantized();
        File.WriteAllBytes(Path.Combine(directory, "model.fp32.onnx"), Fp32().ToByteArray());
        File.WriteAllBytes(Path.Combine(directory, "model.int8.onnx"), int8.Onnx.ToByteArray());
        var golden = new List<GoldenRecord>();
        foreach (var row in Rows)
        {
            var features = new JsonObject();
            for (var i = 0; i < row.Length; i++)
            {
                features[$"x{i}"] = row[i];
            }

            golden.Add(new GoldenRecord
            {
                Features = features,
                Input = row,
                Expected = new Dictionary<string, double> { ["fp32"] = HandFp32(row), ["int8"] = HandInt8(row, int8.Layers) },
            });
        }

        GoldenSet.Write(Path.Combine(directory, "golden.jsonl"), golden);
        var features4 = Enumerable.Range(0, 4).Select(i => new FeatureDefinition { Name = $"x{i}", Kind = FeatureKind.Numeric, Min = -100, Max = 100, Description = $"input {i}" }).ToArray();
        var manifest = new ModelManifest
        {
            Id = Id,
            Version = "1.0.0",
            Sequence = 1,
            CreatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Description = "Test fixture: every quantized layer at the top of every int8 range; golden values computed by hand.",
            Features = features4,
            Policy = new ScorePolicy { Pdo = 20, BaseScore = 600, BaseOdds = 50, ApproveMinScore = 620, DeclineBelowScore = 580 },
            Reasons = features4.Select((f, i) => new ReasonCode { Code = $"R{i:00}", Feature = f.Name, Text = f.Name, Reference = 0 }).ToArray(),
            Variants = [Variant(directory, "fp32"), Variant(directory, "int8")],
        };
        File.WriteAllText(Path.Combine(directory, ModelPackage.ManifestFile), JsonSerializer.Serialize(manifest, PackageJson.Default.ModelManifest));
    }

    private static ModelVariant Variant(string directory, string name)
    {
        var file = $"model.{name}.onnx";
        var bytes = File.ReadAllBytes(Path.Combine(directory, file));
        return new ModelVariant { Name = name, File = file, Precision = name, Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), SizeBytes = bytes.Length };
    }

    private static float[] QuantizedLayer(float[] input, QuantizedLayer layer, float[] bias, bool relu, Action<QuantizedLayer, int[], int[]>? onCodes)
    {
        var scale = layer.ActivationScale;
        var zero = layer.ActivationZeroPoint;
        var top = new int[input.Length];
        var low = new int[input.Length];
        for (var i = 0; i < input.Length; i++)
        {
            (top[i], low[i]) = TwoDigitCodes.Of(input[i], scale, zero);
        }

        onCodes?.Invoke(layer, top, low);
        var outputs = layer.WeightScales.Count;
        var result = new float[outputs];
        for (var j = 0; j < outputs; j++)
        {
            int sumTop = 0, sumLow = 0;
            for (var i = 0; i < input.Length; i++)
            {
                var w = layer.Weights[(i * outputs) + j];
                sumTop += (top[i] - zero) * w;
                sumLow += (low[i] - zero) * w;
            }

            // exact integer sums, then float32 steps as ORT takes them: QGemm scales each int32 by scale_x · scale_w,
            // Split, Div by 126, Add, Add bias
            var factor = scale * layer.WeightScales[j];
            var y = (sumTop * factor) + (sumLow * factor / QdqQuantizer.ResidualFactor) + bias[j];
            result[j] = relu ? MathF.Max(0, y) : y;
        }

        return result;
    }

    private static double[] Layer(double[] input, float[] weights, float[] bias, int outputs, bool relu)
    {
        var result = new double[outputs];
        for (var j = 0; j < outputs; j++)
        {
            var sum = (double)bias[j];
            for (var i = 0; i < input.Length; i++)
            {
                sum += input[i] * weights[(i * outputs) + j];
            }

            result[j] = relu ? Math.Max(0, sum) : sum;
        }

        return result;
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
}
