using System.Security.Cryptography;
using System.Text.Json;
using CreditEdge.Core.Packages;
using CreditEdge.Inference;
using CreditEdge.Modeling.Onnx;
using CreditEdge.TestKit;
using Google.Protobuf;
using Onnx;

namespace CreditEdge.Modeling.Tests.KernelLimits;

/// <summary>
/// <c>auto</c> runs the variant measured fastest on this CPU: one variant of the kernel-limits package is given a heavy
/// side branch that costs ~100× the model and adds exactly 0 to its logit, so it still reproduces golden but is far slower.
/// </summary>
public sealed class AutoVariantTests : IDisposable
{
    private readonly TempDirectory _package = new("auto-variant");

    public AutoVariantTests() => KernelLimitsPackage.Write(_package.Path);

    public void Dispose() => _package.Dispose();

    [Fact]
    public void Load_Auto_QuantizedVariantSlowed_RunsTheFasterFp32()
    {
        Slow("int8");

        using var model = LoadedModel.Load(_package.Path, VariantSelection.Auto);

        Assert.Equal("fp32", model.Ref.Variant);
        Assert.All(model.Choice.Trials, t => Assert.True(t.Passed, t.Failure));
        var us = model.Choice.Trials.ToDictionary(t => t.Name, t => t.MicrosecondsPerDecision!.Value);
        Assert.True(us["int8"] > us["fp32"], $"fp32 {us["fp32"]} µs, int8 {us["int8"]} µs");
    }

    [Fact]
    public void Load_Auto_Fp32Slowed_RunsTheQuantizedVariant()
    {
        Slow("fp32");

        using var model = LoadedModel.Load(_package.Path, VariantSelection.Auto);

        Assert.Equal("int8", model.Ref.Variant);
        Assert.StartsWith("quantized and not slower", model.Choice.Reason, StringComparison.Ordinal);
    }

    /// <summary>Adds logit += 0 · ReduceSum(features · W[4 × 100000]) to the variant and updates the manifest's hash and size.</summary>
    private void Slow(string variant)
    {
        var file = Path.Combine(_package.Path, $"model.{variant}.onnx");
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(file));
        var graph = model.Graph;
        const int Width = 100_000;
        graph.Initializer.Add(OnnxGraph.FloatTensor("heavy_w", [4, Width], Enumerable.Repeat(0.001f, 4 * Width)));
        graph.Initializer.Add(OnnxGraph.FloatTensor("heavy_zero", [], [0f]));
        graph.Initializer.Add(OnnxGraph.Int64Tensor("heavy_axes", [1], [1]));
        var sigmoid = graph.Node.Single(n => n.OpType == "Sigmoid");
        var logit = sigmoid.Input[0];
        graph.Node.Insert(graph.Node.IndexOf(sigmoid), OnnxGraph.Node("MatMul", "heavy", [ModelContract.InputName, "heavy_w"], ["heavy_y"]));
        graph.Node.Insert(graph.Node.IndexOf(sigmoid), OnnxGraph.Node("ReduceSum", "heavy_sum", ["heavy_y", "heavy_axes"], ["heavy_s"]));
        graph.Node.Insert(graph.Node.IndexOf(sigmoid), OnnxGraph.Node("Mul", "heavy_mul", ["heavy_s", "heavy_zero"], ["heavy_0"]));
        graph.Node.Insert(graph.Node.IndexOf(sigmoid), OnnxGraph.Node("Add", "heavy_add", [logit, "heavy_0"], ["heavy_logit"]));
        sigmoid.Input[0] = "heavy_logit";
        var bytes = model.ToByteArray();
        File.WriteAllBytes(file, bytes);

        var manifestPath = Path.Combine(_package.Path, ModelPackage.ManifestFile);
        var manifest = JsonSerializer.Deserialize(File.ReadAllText(manifestPath), PackageJson.Default.ModelManifest)!;
        manifest = manifest with
        {
            Variants = manifest.Variants.Select(v => v.Name == variant ? v with { Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), SizeBytes = bytes.Length } : v).ToArray(),
        };
        File.WriteAllText(manifestPath, JsonSerializer.Serialize(manifest, PackageJson.Default.ModelManifest));
    }
}
