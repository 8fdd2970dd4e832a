using CreditEdge.TestKit;

namespace CreditEdge.Inference.Tests;

/// <summary>Per-device session tuning (README "Configuration", <c>Models:*</c>): the execution provider and the optimized-model cache.</summary>
public sealed class SessionTuningTests : IDisposable
{
    private readonly TempDirectory _dir = new("session-tuning");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(ExecutionProviderKind.Cuda)]
    [InlineData(ExecutionProviderKind.TensorRt)]
    public void Load_GpuProviderOnCpuOnlyBuild_RunsOnTheCpuAndSaysWhy(ExecutionProviderKind asked)
    {
        using var model = LoadedModel.Load(RepoPaths.DefaultModel, "auto", new OnnxScorerOptions { ExecutionProvider = asked });

        Assert.Equal(ExecutionProviderKind.Cpu, model.Scorer.Provider);
        Assert.Contains($"{asked} was asked for; this ONNX Runtime build has CPUExecutionProvider", model.Scorer.ProviderNote, StringComparison.Ordinal);
        Assert.True(model.GoldenChecked > 0);
    }

    [Fact]
    public void Load_Cpu_NoNote()
    {
        using var model = LoadedModel.Load(RepoPaths.DefaultModel, "fp32");

        Assert.Equal(ExecutionProviderKind.Cpu, model.Scorer.Provider);
        Assert.Null(model.Scorer.ProviderNote);
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("int8")]
    public void Load_WithOptimizedModelCache_FirstWritesItThenLoadsOpenItAndStillReproduceGolden(string variant)
    {
        var options = new OnnxScorerOptions { OptimizedModelCache = _dir.Combine("cache") };

        using (var first = LoadedModel.Load(RepoPaths.DefaultModel, variant, options))
        {
            Assert.False(first.Scorer.FromCache);
        }

        var cached = Assert.Single(Directory.GetFiles(_dir.Combine("cache")));
        Assert.EndsWith($"-ort_enable_all-cpu.onnx", cached, StringComparison.Ordinal);
        using var second = LoadedModel.Load(RepoPaths.DefaultModel, variant, options); // replays every golden record, or throws

        Assert.True(second.Scorer.FromCache);
        Assert.Equal(File.ReadLines(Path.Combine(RepoPaths.DefaultModel, "golden.jsonl")).Count(l => l.Length > 0), second.GoldenChecked);
    }

    [Fact]
    public void Load_CachedModelDamaged_RebuiltFromThePackage()
    {
        var options = new OnnxScorerOptions { OptimizedModelCache = _dir.Combine("cache") };
        LoadedModel.Load(RepoPaths.DefaultModel, "fp32", options).Dispose();
        var cached = Assert.Single(Directory.GetFiles(_dir.Combine("cache")));
        File.WriteAllText(cached, "not a model any more");

        using var model = LoadedModel.Load(RepoPaths.DefaultModel, "fp32", options);

        Assert.False(model.Scorer.FromCache);
        Assert.True(new FileInfo(cached).Length > 1000, "the cache holds a fresh optimized copy again");
    }
}
