using System.Text.Json;
using CreditEdge.Core.Packages;
using CreditEdge.Inference;
using CreditEdge.TestKit;

namespace CreditEdge.Inference.Tests;

public sealed class OnnxScorerTests : IDisposable
{
    private static readonly ModelPackage Package = ModelPackage.Load(RepoPaths.DefaultModel);
    private static readonly GoldenRecord[] Golden = File.ReadLines(Path.Combine(RepoPaths.DefaultModel, "golden.jsonl"))
        .Where(l => l.Length > 0)
        .Select(l => JsonSerializer.Deserialize(l, PackageJson.Default.GoldenRecord)!)
        .ToArray();

    private readonly OnnxScorer _scorer = OnnxScorer.Load(Package.PathOf(Package.Variant("fp32")));

    public void Dispose() => _scorer.Dispose();

    [Fact]
    public void Predict_GoldenRecordsOneByOne_ReproduceExpectedProbabilities()
    {
        Assert.True(Golden.Length >= 100);
        var probability = new float[1];
        foreach (var record in Golden)
        {
            _scorer.Predict(record.Input.ToArray(), probability);
            Assert.Equal(record.Expected["fp32"], probability[0], 1e-5);
        }
    }

    [Fact]
    public void Predict_RowAloneOrInsideBatches_GivesIdenticalProbability()
    {
        var rows = Golden.Take(64).Select(r => r.Input.ToArray()).ToArray();
        var alone = rows.Select(r => Score(r, 1)[0]).ToArray();

        foreach (var batchSize in new[] { 2, 7, 22, 64 })
        {
            for (var start = 0; start + batchSize <= rows.Length; start += batchSize)
            {
                var batch = rows.Skip(start).Take(batchSize).SelectMany(r => r).ToArray();
                var scored = Score(batch, batchSize);
                for (var i = 0; i < batchSize; i++)
                {
                    // bit-for-bit: an applicant's score may not depend on who else is in the batch
                    Assert.Equal(alone[start + i], scored[i]);
                }
            }
        }
    }

    [Fact]
    public void Predict_BatchWithExtremeNeighbours_DoesNotMoveTheApplicant()
    {
        var applicant = Golden[0].Input.ToArray();
        var extreme = applicant.Select((v, i) => i == 1 ? v : v * 50f).ToArray();
        var alone = Score(applicant, 1)[0];
        var withNeighbour = Score([.. applicant, .. extreme, .. extreme], 3)[0];
        Assert.Equal(alone, withNeighbour);
    }

    [Fact]
    public async Task Predict_ManyThreadsAtOnce_EachGetsItsOwnAnswer()
    {
        var tasks = Golden.Take(50).Select(record => Task.Run(() =>
        {
            var p = new float[1];
            for (var repeat = 0; repeat < 40; repeat++)
            {
                _scorer.Predict(record.Input.ToArray(), p);
                Assert.Equal(record.Expected["fp32"], p[0], 1e-5);
            }
        }));
        await Task.WhenAll(tasks);
    }

    [Fact]
    public void Predict_WrongNumberOfValues_ThrowsNamingTheShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => _scorer.Predict(new float[5], new float[1]));
        Assert.Contains($"{_scorer.FeatureCount} features", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileThatIsNotOnnx_RefusedWithOnnxLoadCheck()
    {
        using var dir = new TempDirectory("notonnx");
        var path = dir.Combine("model.onnx");
        File.WriteAllText(path, "this is not a model");
        var ex = Assert.Throws<ModelPackageException>(() => OnnxScorer.Load(path));
        Assert.Equal("onnx-load", ex.Check);
    }

    [Fact]
    public void LoadedModel_DefaultPackage_PassesGoldenCheckAndBuildsEngine()
    {
        using var model = LoadedModel.Load(RepoPaths.DefaultModel, "fp32");
        Assert.Equal(Golden.Length, model.GoldenChecked);
        Assert.Equal("taiwan-credit", model.Ref.Id);
        Assert.Equal(Package.Variant("fp32").Sha256, model.Ref.Sha256);
        Assert.Equal("configured", model.Choice.Mode);
    }

    [Fact]
    public void LoadedModel_GoldenExpectationChanged_RefusedWithGoldenCheck()
    {
        using var copy = CopyDefaultPackage();
        var golden = Path.Combine(copy.Path, "golden.jsonl");
        var lines = File.ReadAllLines(golden);
        var record = JsonSerializer.Deserialize(lines[3], PackageJson.Default.GoldenRecord)!;
        var shifted = record with { Expected = new Dictionary<string, double> { ["fp32"] = record.Expected["fp32"] + 0.001 } };
        lines[3] = JsonSerializer.Serialize(shifted, PackageJson.Default.GoldenRecord).ReplaceLineEndings(string.Empty);
        File.WriteAllLines(golden, lines);

        var ex = Assert.Throws<ModelPackageException>(() => LoadedModel.Load(copy.Path, "fp32"));
        Assert.Equal("golden", ex.Check);
        Assert.Contains("line 4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecisionEngine_GoldenApplicant_ProbabilityEqualsSingleRowScoreAndReasonsRaiseRisk()
    {
        using var model = LoadedModel.Load(RepoPaths.DefaultModel, "fp32");
        var reasons = new Core.Policy.Reason[4];
        var highRisk = Golden.OrderByDescending(g => g.Expected["fp32"]).First();

        var verdict = model.Engine.Decide(highRisk.Input.ToArray(), reasons);

        Assert.Equal(highRisk.Expected["fp32"], verdict.Probability, 1e-5);
        Assert.Equal(Package.Policy.Score(verdict.Probability), verdict.Score);
        Assert.InRange(verdict.ReasonCount, 1, 4);
        // each reason's feature, set to its reference value, must lower this applicant's probability
        var features = Package.Manifest.Features.Select(f => f.Name).ToList();
        foreach (var reason in reasons.Take(verdict.ReasonCount))
        {
            var row = highRisk.Input.ToArray();
            var index = features.IndexOf(reason.Feature);
            row[index] = Package.Manifest.Reasons.Single(r => r.Feature == reason.Feature).Reference;
            Assert.True(Score(row, 1)[0] < verdict.Probability, $"{reason.Feature} at its reference should lower the risk");
        }
    }

    private float[] Score(float[] rows, int count)
    {
        var result = new float[count];
        _scorer.Predict(rows, result);
        return result;
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
