using CreditEdge.Core.Packages;
using CreditEdge.Inference;
using CreditEdge.Modeling.Quantization;
using CreditEdge.TestKit;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace CreditEdge.Modeling.Tests.KernelLimits;

/// <summary>
/// The kernel-limits network: its int8 codes reach the top of every range, ONNX Runtime on this CPU gives the hand-computed
/// values, and the committed package (replayed on every kernel path by KernelPathTests and CI) is exactly what the
/// quantizer writes today.
/// </summary>
public sealed class KernelLimitsTests
{
    /// <summary>Where the committed package lives; <c>CREDITEDGE_WRITE_FIXTURES=1 dotnet test --filter KernelLimits</c> rewrites it.</summary>
    public static string CommittedPath => Path.Combine(RepoPaths.Root, "tests", "packages", KernelLimitsPackage.Id);

    [Fact]
    public void HandInt8_GoldenRows_ReachTheTopOfEveryRangeInEveryLaneOfAPair()
    {
        var int8 = KernelLimitsPackage.Quantized();
        var largestPair = new Dictionary<string, int>();
        var smallestPair = new Dictionary<string, int>();
        var codes = new HashSet<int>();
        foreach (var row in KernelLimitsPackage.Rows)
        {
            KernelLimitsPackage.HandInt8(row, int8.Layers, (layer, top, low) =>
            {
                foreach (var digit in new[] { top, low })
                {
                    codes.UnionWith(digit);
                    var outputs = layer.WeightScales.Count;
                    for (var j = 0; j < outputs; j++)
                    {
                        for (var i = 0; i + 1 < digit.Length; i += 2)
                        {
                            // what pmaddubsw adds in one 16-bit lane: two adjacent uint8 codes times their int8 weights
                            var pair = (digit[i] * layer.Weights[(i * outputs) + j]) + (digit[i + 1] * layer.Weights[((i + 1) * outputs) + j]);
                            largestPair[layer.Node] = Math.Max(largestPair.GetValueOrDefault(layer.Node, int.MinValue), pair);
                            smallestPair[layer.Node] = Math.Min(smallestPair.GetValueOrDefault(layer.Node, int.MaxValue), pair);
                        }
                    }
                }
            });
        }

        // every layer reaches +2·127·127 in some lane pair, and −2·127·127 is reached (layer 1, unmasked by ReLU)
        Assert.Equal(2, int8.Layers.Count);
        foreach (var layer in int8.Layers)
        {
            Assert.Equal(QdqQuantizer.WeightCodeMax, layer.Weights.Max(w => Math.Abs((int)w)));
            Assert.Equal(QdqQuantizer.LargestProductPair, largestPair[layer.Node]);
        }

        Assert.Equal(-QdqQuantizer.LargestProductPair, smallestPair.Values.Min());

        Assert.True(QdqQuantizer.LargestProductPair <= short.MaxValue, "a pair of products must fit a saturating int16 lane");
        Assert.Equal(QdqQuantizer.ActivationCodeMax, codes.Max());
        Assert.Contains(1, codes); // residual digit at −63 and the bottom of the symmetric range
        Assert.Contains(0, codes); // an input clipped below the range
    }

    [Fact]
    public void Ort_KernelLimitsNetwork_ReproducesHandComputationOnThisCpu()
    {
        var int8 = KernelLimitsPackage.Quantized();
        var rows = KernelLimitsPackage.Rows;
        var fp32Scores = Score(KernelLimitsPackage.Fp32().ToByteArray(), rows);
        var int8Scores = Score(int8.Onnx.ToByteArray(), rows);
        for (var r = 0; r < rows.Length; r++)
        {
            var fp32 = KernelLimitsPackage.HandFp32(rows[r]);
            var quantized = KernelLimitsPackage.HandInt8(rows[r], int8.Layers);
            Assert.True(Math.Abs(fp32Scores[r] - fp32) <= ModelContract.GoldenTolerance, $"row {r} fp32: ORT {fp32Scores[r]}, by hand {fp32} ({CpuKernelPath.Describe()})");
            Assert.True(Math.Abs(int8Scores[r] - quantized) <= ModelContract.GoldenTolerance, $"row {r} int8: ORT {int8Scores[r]}, by hand {quantized} ({CpuKernelPath.Describe()})");
        }
    }

    [Fact]
    public void CommittedPackage_IsWhatTheQuantizerWritesToday()
    {
        if (Environment.GetEnvironmentVariable("CREDITEDGE_WRITE_FIXTURES") == "1")
        {
            KernelLimitsPackage.Write(CommittedPath);
        }

        using var temp = new TempDirectory("kernel-limits");
        KernelLimitsPackage.Write(temp.Path);
        foreach (var file in Directory.GetFiles(temp.Path).Select(Path.GetFileName))
        {
            var committed = Path.Combine(CommittedPath, file!);
            Assert.True(File.Exists(committed), $"{committed} is missing; regenerate with CREDITEDGE_WRITE_FIXTURES=1 dotnet test --filter KernelLimits");
            Assert.True(File.ReadAllBytes(committed).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(temp.Path, file!))),
                $"{committed} differs from what the quantizer writes today; regenerate with CREDITEDGE_WRITE_FIXTURES=1 dotnet test --filter KernelLimits");
        }
    }

    private static float[] Score(byte[] model, float[][] rows)
    {
        using var options = OnnxScorerOptions.Default.CreateSessionOptions(out _, out _);
        using var session = new InferenceSession(model, options);
        var flat = rows.SelectMany(r => r).ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(flat, [rows.Length, 4]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [ModelContract.InputName], [input], [ModelContract.OutputName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
