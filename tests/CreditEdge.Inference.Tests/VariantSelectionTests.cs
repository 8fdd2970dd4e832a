using System.Text.Json;
using CreditEdge.Core.Packages;
using CreditEdge.TestKit;

namespace CreditEdge.Inference.Tests;

/// <summary><c>Models:Variant=auto</c> on the committed default package: replay, skip what fails, time what passes.</summary>
public sealed class VariantSelectionTests : IDisposable
{
    private readonly TempDirectory _copy = CopyDefaultPackage();

    public void Dispose() => _copy.Dispose();

    [Fact]
    public void Load_Auto_EveryVariantReplaysGoldenAndIsTimed()
    {
        using var model = LoadedModel.Load(RepoPaths.DefaultModel, VariantSelection.Auto);

        var choice = model.Choice;
        Assert.Equal(VariantSelection.Auto, choice.Mode);
        Assert.Equal(["fp32", "int8"], choice.Trials.Select(t => t.Name));
        Assert.All(choice.Trials, t =>
        {
            Assert.True(t.Passed, t.Failure);
            Assert.InRange(t.MaxDelta, 0, ModelContract.GoldenTolerance);
            Assert.True(t.MicrosecondsPerDecision > 0);
        });
        Assert.Equal(choice.Variant, model.Ref.Variant);
        Assert.Equal(CpuKernelPath.Describe(), choice.Cpu);
        var fastest = choice.Trials.Min(t => t.MicrosecondsPerDecision!.Value);
        var chosen = choice.Trials.Single(t => t.Name == choice.Variant).MicrosecondsPerDecision!.Value;
        Assert.True(chosen <= fastest * (1 + VariantSelection.NotSlowerMargin), $"ran {choice.Variant} at {chosen} µs; fastest {fastest} µs");
    }

    [Fact]
    public void Load_Auto_Int8GoldenLineDoctored_SkipsInt8NamingTheLineAndRunsFp32()
    {
        Doctor(line: 1, "int8");

        using var model = LoadedModel.Load(_copy.Path, VariantSelection.Auto);

        Assert.Equal("fp32", model.Ref.Variant);
        var int8 = model.Choice.Trials.Single(t => t.Name == "int8");
        Assert.False(int8.Passed);
        Assert.Contains("golden line 1", int8.Failure, StringComparison.Ordinal);
        Assert.Null(int8.MicrosecondsPerDecision); // never run beyond its replay
        Assert.Contains("int8 skipped", model.Choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Auto_Fp32GoldenLineDoctored_RunsInt8()
    {
        Doctor(line: 7, "fp32");

        using var model = LoadedModel.Load(_copy.Path, VariantSelection.Auto);

        Assert.Equal("int8", model.Ref.Variant);
        Assert.Contains("golden line 7", model.Choice.Trials.Single(t => t.Name == "fp32").Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Auto_EveryVariantDoctored_RefusedNamingEachFailure()
    {
        Doctor(line: 2, "fp32");
        Doctor(line: 5, "int8");

        var ex = Assert.Throws<ModelPackageException>(() => LoadedModel.Load(_copy.Path, VariantSelection.Auto));

        Assert.Equal("golden", ex.Check);
        Assert.Contains("variant 'fp32', golden line 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("variant 'int8', golden line 5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NamedVariantDoctored_RefusedEvenThoughAnotherPasses()
    {
        Doctor(line: 3, "int8");

        var ex = Assert.Throws<ModelPackageException>(() => LoadedModel.Load(_copy.Path, "int8"));

        Assert.Equal("golden", ex.Check);
        Assert.Contains("golden line 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_DefaultPackage_ReportsLargestDeltaAndFirstFailingLine()
    {
        var package = ModelPackage.Load(_copy.Path);
        Doctor(line: 4, "fp32", by: 0.002);
        Doctor(line: 9, "fp32", by: 0.003);
        using var scorer = OnnxScorer.Load(package.PathOf(package.Variant("fp32")));

        var result = GoldenReplay.Run(GoldenReplay.Read(package), scorer, "fp32");

        Assert.False(result.Passed);
        Assert.Equal(200, result.Records);
        Assert.Contains("golden line 4", result.Failure, StringComparison.Ordinal);
        Assert.InRange(result.MaxDelta, 0.003 - 1e-5, 0.003 + 1e-5);
    }

    /// <summary>Moves one golden line's expectation for <paramref name="variant"/> (1-based line).</summary>
    private void Doctor(int line, string variant, double by = 0.001)
    {
        var golden = Path.Combine(_copy.Path, "golden.jsonl");
        var lines = File.ReadAllLines(golden);
        var record = JsonSerializer.Deserialize(lines[line - 1], PackageJson.Default.GoldenRecord)!;
        var expected = record.Expected.ToDictionary(e => e.Key, e => e.Key == variant ? e.Value + by : e.Value);
        lines[line - 1] = JsonSerializer.Serialize(record with { Expected = expected }, PackageJson.Default.GoldenRecord).ReplaceLineEndings(string.Empty);
        File.WriteAllLines(golden, lines);
    }

    private static TempDirectory CopyDefaultPackage()
    {
        var copy = new TempDirectory("pkg");
        foreach (var file in Directory.GetFiles(RepoPaths.DefaultModel))
        {
            File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
        }

        return copy;
    }
}
