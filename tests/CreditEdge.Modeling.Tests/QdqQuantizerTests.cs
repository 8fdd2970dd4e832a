using CreditEdge.Modeling.Onnx;
using CreditEdge.Modeling.Quantization;
using CreditEdge.Modeling.Tests.TestKit;
using CreditEdge.Modeling.Training;
using CreditEdge.TestKit;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace CreditEdge.Modeling.Tests;

public sealed class QdqQuantizerTests
{
    // 2 → 2 → 1 with weights [inputs × outputs] (Gemm B, no transpose)
    private static readonly float[] W1 = [0.5f, -0.9f, 0.2f, 2.0f];
    private static readonly float[] B1 = [0.1f, -0.2f];
    private static readonly float[] W2 = [1.5f, -0.7f];
    private static readonly float[] B2 = [0.05f];
    private static readonly float[] Calibration = [1, 2, -1, 0.5f, 3, -2, 0, 1];

    [Fact]
    public void Quantize_Percentile_ClipsTheRangeBelowMinMax()
    {
        var random = new Random(1);
        var rows = Enumerable.Range(0, 2000).Select(_ => (float)(random.NextDouble() * 2) - 1).ToArray();
        rows[7] = 50; // one outlier

        var minMax = QdqQuantizer.Quantize(TinyNetwork(), rows, 1000, new QuantizationOptions { Calibration = CalibrationMethod.MinMax, KeepLastLayerFloat = false });
        var percentile = QdqQuantizer.Quantize(TinyNetwork(), rows, 1000, new QuantizationOptions { Calibration = CalibrationMethod.Percentile, Percentile = 99.9, KeepLastLayerFloat = false });

        Assert.Equal(50, minMax.Layers[0].RangeHigh, 3);
        Assert.True(percentile.Layers[0].RangeHigh < 1.01, $"percentile range {percentile.Layers[0].RangeHigh}");
    }

    [Fact]
    public void Quantize_KeepFirstLayerFloat_LeavesItsWeightsFloat()
    {
        var quantized = QdqQuantizer.Quantize(TinyNetwork(), Calibration, 4, new QuantizationOptions { KeepFirstLayerFloat = true, KeepLastLayerFloat = false });

        Assert.Single(quantized.Layers);
        Assert.Contains(quantized.Onnx.Graph.Initializer, t => t.Name == "W1" && t.DataType == (int)TensorProto.Types.DataType.Float);
        Assert.DoesNotContain(quantized.Onnx.Graph.Initializer, t => t.Name == "W2");
    }

    [Fact]
    public void Quantize_TinyHandComputedNetwork_GivesHandComputedScalesWeightsAndTwoDigitScores()
    {
        var fp32 = TinyNetwork();

        var quantized = QdqQuantizer.Quantize(fp32, Calibration, 4, new QuantizationOptions { Calibration = CalibrationMethod.MinMax, KeepLastLayerFloat = false });

        // layer 0: input range [-2, 3] → symmetric 3 → scale 3/63, zero point 64 (codes 1…127); layer 1: hidden range [0, 2.9] → 2.9/63
        var first = quantized.Layers[0];
        var second = quantized.Layers[1];
        Assert.Equal(3f / 63f, first.ActivationScale, 6);
        Assert.Equal(64, first.ActivationZeroPoint);
        Assert.Equal(2.9f / 63f, second.ActivationScale, 6);
        // per output channel: column 0 = [0.5, 0.2] → 0.5/127; column 1 = [-0.9, 2.0] → 2/127
        Assert.Equal([0.5f / 127f, 2f / 127f], first.WeightScales);
        Assert.Equal(new sbyte[] { 127, -57, 51, 127 }, first.Weights); // 0.2·127/0.5 = 50.8 → 51; −0.9·127/2 = −57.15 → −57
        Assert.Equal([1.5f / 127f], second.WeightScales);
        Assert.Equal(new sbyte[] { 127, -59 }, second.Weights); // −0.7·127/1.5 = −59.27 → −59
        var weights = quantized.Onnx.Graph.Initializer.Single(t => t.Name == "w0");
        Assert.Equal((int)TensorProto.Types.DataType.Int8, weights.DataType);
        Assert.Equal(new byte[] { 127, unchecked((byte)-57), 51, 127 }, weights.RawData.ToByteArray());
        Assert.DoesNotContain(quantized.Onnx.Graph.Node, n => n.OpType is "DynamicQuantizeLinear" or "MatMulInteger");

        // includes inputs beyond the calibrated range (clipped to the top and bottom codes)
        float[] rows = [1, 2, -1, 0.45f, 3, -2, 0.4f, 1.3f, 0.013f, -1.77f, 9, -9];
        var ort = Score(quantized.Onnx.ToByteArray(), rows, 6);
        for (var r = 0; r < 6; r++)
        {
            var expected = HandTwoDigitForward(rows[r * 2], rows[(r * 2) + 1], first, second);
            Assert.True(Math.Abs(ort[r] - expected) <= 1e-6, $"row {r}: ORT {ort[r]}, by hand {expected}");
            // against the same int8 weights with exact activations, two digits leave ~1/126 of one digit's rounding error
            if (r < 5)
            {
                var exact = HandTwoDigitForward(rows[r * 2], rows[(r * 2) + 1], first, second, exactActivations: true);
                // two 7-bit digits leave at most scale / 252 per input (3/63/252 ≈ 1.9e-4 here); one digit would leave scale / 2
                Assert.True(Math.Abs(ort[r] - exact) <= 1e-3, $"row {r}: two-digit {ort[r]}, exact activations {exact}");
            }
        }
    }

    [Fact]
    public void Project_Weights_LandOnTheirInt8GridAndQuantizeBackToTheSameIntegers()
    {
        var (model, rows, count) = Student();
        model.Network.Parameters[model.Network.WeightOffset(0) + 3] = 0; // a pruned weight

        var projected = WeightGridProjector.Project(model, new QuantizationOptions());

        var network = projected.Network;
        Assert.Equal(0, network.Parameters[network.WeightOffset(0) + 3]);
        for (var l = 0; l < network.LayerCount - 1; l++)
        {
            int inputs = network.LayerSizes[l], outputs = network.LayerSizes[l + 1];
            var weights = Enumerable.Range(0, inputs * outputs).Select(i => (float)network.Parameters[network.WeightOffset(l) + i]).ToArray();
            var (quantized, scales) = QdqQuantizer.QuantizeWeights(weights, inputs, outputs, axis: 1);
            for (var i = 0; i < weights.Length; i++)
            {
                Assert.Equal(weights[i], quantized[i] * scales[i % outputs], 6);
            }
        }

        // the last layer is kept in float by default, so it is not projected
        var last = network.LayerCount - 1;
        Assert.Equal(model.Network.Parameters[model.Network.WeightOffset(last)], network.Parameters[network.WeightOffset(last)]);
        var fp32 = OnnxModelWriter.Build(projected, "test");
        var int8 = QdqQuantizer.Quantize(fp32, rows, count, new QuantizationOptions());
        var a = Score(fp32.ToByteArray(), rows, count);
        var b = Score(int8.Onnx.ToByteArray(), rows, count);
        Assert.True(a.Zip(b).Max(p => Math.Abs(p.First - p.Second)) < 1e-3, "projected fp32 and two-digit int8 should agree closely");
    }

    [Fact]
    public void OptimizedSession_QuantizedStudent_OrtFusesIntoQGemm()
    {
        using var temp = new TempDirectory();
        var (proto, rows, count) = QuantizedStudent();
        var path = temp.Combine("int8.onnx");
        File.WriteAllBytes(path, proto.ToByteArray());
        var optimizedPath = temp.Combine("int8.optimized.onnx");

        using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = optimizedPath, IntraOpNumThreads = 1 })
        using (var session = new InferenceSession(path, options))
        {
            Assert.Single(session.InputMetadata);
        }

        var optimized = ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimizedPath));
        var ops = optimized.Graph.Node.Select(n => n.OpType).ToArray();
        // both hidden layers int8 and fused (two-digit: one QGemm per layer reads both digits); the last layer's weights
        // stay float by default (ORT: Gemm + Sigmoid as FusedGemm)
        Assert.True(ops.Count(o => o == "QGemm") == 2, $"optimized graph ops: {string.Join(", ", ops)}");
        Assert.DoesNotContain("Gemm", ops);
        Assert.DoesNotContain("MatMulInteger", ops);
        Assert.DoesNotContain("DynamicQuantizeLinear", ops);
        Assert.True(rows.Length == count * 4);
    }

    [Fact]
    public void Score_QuantizedStudent_IsBatchInvariantBitForBit() => AssertBatchInvariant(QuantizedStudent());

    [Fact]
    public void Score_Fp32Student_IsBatchInvariantBitForBit() => AssertBatchInvariant(QuantizedStudent(quantize: false));

    private static void AssertBatchInvariant((ModelProto Proto, float[] Rows, int Count) model)
    {
        var (proto, rows, count) = model;
        var bytes = proto.ToByteArray();
        var alone = new float[count];
        for (var r = 0; r < count; r++)
        {
            alone[r] = Score(bytes, rows.AsSpan(r * 4, 4).ToArray(), 1)[0];
        }

        foreach (var batch in new[] { 2, 22, 64 })
        {
            for (var start = 0; start + batch <= count; start += batch)
            {
                var scores = Score(bytes, rows.AsSpan(start * 4, batch * 4).ToArray(), batch);
                for (var i = 0; i < batch; i++)
                {
                    Assert.True(BitConverter.SingleToInt32Bits(alone[start + i]) == BitConverter.SingleToInt32Bits(scores[i]),
                        $"row {start + i}: alone {alone[start + i]:R}, in a batch of {batch} {scores[i]:R}");
                }
            }
        }
    }

    private static double HandTwoDigitForward(float x0, float x1, QuantizedLayer first, QuantizedLayer second, bool exactActivations = false)
    {
        // as ORT computes it: a = Clip(x) to codes 0…127, q = Q(a), d = DQ(q) and r = a − d in float32, e = Q(r) at
        // scale / 126; the layer reads d + DQ(e) / 126
        double TwoDigit(double v, QuantizedLayer layer) => exactActivations ? v : TwoDigitCodes.Value((float)v, layer.ActivationScale, layer.ActivationZeroPoint);

        double[] x = [TwoDigit(x0, first), TwoDigit(x1, first)];
        var h = new double[2];
        for (var j = 0; j < 2; j++)
        {
            var sum = (double)B1[j];
            for (var i = 0; i < 2; i++)
            {
                sum += x[i] * first.Weights[(i * 2) + j] * first.WeightScales[j];
            }

            h[j] = TwoDigit(Math.Max(0, sum), second);
        }

        var z = B2[0] + (h[0] * second.Weights[0] * second.WeightScales[0]) + (h[1] * second.Weights[1] * second.WeightScales[0]);
        return 1 / (1 + Math.Exp(-z));
    }

    private static ModelProto TinyNetwork()
    {
        var graph = new GraphProto { Name = "tiny" };
        graph.Input.Add(OnnxGraph.FloatValue("features", 2));
        graph.Output.Add(OnnxGraph.FloatValue("probability", 1));
        graph.Initializer.Add(OnnxGraph.FloatTensor("W1", [2, 2], W1));
        graph.Initializer.Add(OnnxGraph.FloatTensor("B1", [2], B1));
        graph.Initializer.Add(OnnxGraph.FloatTensor("W2", [2, 1], W2));
        graph.Initializer.Add(OnnxGraph.FloatTensor("B2", [1], B2));
        graph.Node.Add(OnnxGraph.Node("Gemm", "g1", ["features", "W1", "B1"], ["h"]));
        graph.Node.Add(OnnxGraph.Node("Relu", "r1", ["h"], ["hr"]));
        graph.Node.Add(OnnxGraph.Node("Gemm", "g2", ["hr", "W2", "B2"], ["z"]));
        graph.Node.Add(OnnxGraph.Node("Sigmoid", "s", ["z"], ["probability"]));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        return model;
    }

    private static (ModelProto Proto, float[] Rows, int Count) QuantizedStudent(bool quantize = true)
    {
        var (model, rows, count) = Student();
        var fp32 = OnnxModelWriter.Build(model, "test");
        var proto = quantize ? QdqQuantizer.Quantize(fp32, rows, count, new QuantizationOptions()).Onnx : fp32;
        return (proto, rows, count);
    }

    private static (TrainedModel Model, float[] Rows, int Count) Student()
    {
        var encoder = new InputEncoder([0, 2, 3], [10f, -3f, 5000f], [4f, 0.5f, 2000f], [1], [3], [false, false, true], [1f, 1f, 3000f]);
        var network = new Mlp([encoder.EncodedWidth, 16, 8, 1]);
        network.Initialize(new Random(3));
        network.RoundToSingle();
        var model = new TrainedModel(encoder, network, new TrainingSummary(0, 0, 0, 0, 0));
        const int count = 132;
        var random = new Random(4);
        var rows = new float[count * 4];
        for (var r = 0; r < count; r++)
        {
            rows[(r * 4) + 0] = (float)(random.NextDouble() * 30);
            rows[(r * 4) + 1] = random.Next(0, 3);
            rows[(r * 4) + 2] = (float)((random.NextDouble() * 4) - 5);
            rows[(r * 4) + 3] = (float)(random.NextDouble() * 20000);
        }

        return (model, rows, count);
    }

    private static float[] Score(byte[] model, float[] rows, int count)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        using var input = OrtValue.CreateTensorValueFromMemory(rows, [count, rows.Length / count]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["features"], [input], ["probability"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
