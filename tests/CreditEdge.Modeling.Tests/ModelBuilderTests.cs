using System.Text.Json;
using CreditEdge.Core.Packages;
using CreditEdge.Modeling.Packaging;
using CreditEdge.Modeling.Tests.TestKit;
using CreditEdge.TestKit;
using CreditEdge.Modeling.Training;
using Microsoft.ML.OnnxRuntime;

namespace CreditEdge.Modeling.Tests;

public sealed class ModelBuilderTests
{
    private const int Rows = 3000;

    [Fact]
    public void Build_SameSeedTwice_WritesByteIdenticalModelManifestAndGolden()
    {
        using var temp = new TempDirectory();
        var first = CreateSut().Build(Options(temp, "first"));
        var second = CreateSut().Build(Options(temp, "second"));

        foreach (var file in new[] { ModelBuilder.ModelFile, ModelPackage.ManifestFile, GoldenSet.FileName })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first.OutputDirectory, file)), File.ReadAllBytes(Path.Combine(second.OutputDirectory, file)));
        }
    }

    [Fact]
    public void Build_DifferentSeed_WritesDifferentModel()
    {
        using var temp = new TempDirectory();
        var first = CreateSut().Build(Options(temp, "a"));
        var second = CreateSut().Build(Options(temp, "b") with { Training = Options(temp, "b").Training with { Seed = 43 } });

        Assert.NotEqual(File.ReadAllBytes(Path.Combine(first.OutputDirectory, ModelBuilder.ModelFile)), File.ReadAllBytes(Path.Combine(second.OutputDirectory, ModelBuilder.ModelFile)));
    }

    [Fact]
    public void Build_SyntheticData_PackageLoadsAndGoldenReproducesInPlainOrtSession()
    {
        using var temp = new TempDirectory();
        var result = CreateSut().Build(Options(temp, "pkg"));

        var package = ModelPackage.Load(result.OutputDirectory);
        Assert.Equal(["INCOME", "AGE", "REGION", "DELAYS"], package.Manifest.Features.Select(f => f.Name));
        Assert.Equal(["ID", "GENDER"], package.Manifest.NonInputs.Select(f => f.Name));
        Assert.Equal(["R01", "R02", "R03", "R04"], package.Manifest.Reasons.Select(r => r.Code));
        Assert.True(package.Policy.DeclineBelowScore <= package.Policy.ApproveMinScore);

        var lines = File.ReadAllLines(Path.Combine(result.OutputDirectory, GoldenSet.FileName));
        Assert.Equal(200, lines.Length);
        using var session = new InferenceSession(package.PathOf(package.Variant("fp32")));
        using var runOptions = new RunOptions();
        foreach (var line in lines)
        {
            var record = JsonSerializer.Deserialize(line, PackageJson.Default.GoldenRecord)!;
            using var input = OrtValue.CreateTensorValueFromMemory(record.Input.ToArray(), [1, record.Input.Count]);
            using var outputs = session.Run(runOptions, ["features"], [input], ["probability"]);
            var probability = outputs[0].GetTensorDataAsSpan<float>()[0];
            Assert.True(Math.Abs(probability - record.Expected["fp32"]) <= 1e-5, $"{probability} vs {record.Expected["fp32"]}");
            Assert.Equal(record.Input.Count, record.Features.Count);
        }
    }

    [Fact]
    public void Build_SyntheticDataWithKnownRelationship_LearnsIt()
    {
        using var temp = new TempDirectory();
        var result = CreateSut().Build(Options(temp, "learn"));

        Assert.Equal(Rows / 5, result.Test.Rows);
        Assert.True(result.Test.Auc > 0.75, $"test AUC {result.Test.Auc}");
        var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(result.OutputDirectory, ModelBuilder.MetricsFile))).RootElement;
        Assert.Equal(Math.Round(result.Test.Auc, 6), metrics.GetProperty("testAuc").GetDouble());
    }

    private static ModelBuilder CreateSut() => new(TimeProvider.System);

    private static ModelBuildOptions Options(TempDirectory temp, string outName)
    {
        var data = temp.Combine("data.csv");
        if (!File.Exists(data))
        {
            SyntheticCredit.WriteData(data, Rows);
            SyntheticCredit.WriteSchema(temp.Combine("schema.json"));
        }

        return new ModelBuildOptions
        {
            DataPath = data,
            SchemaPath = temp.Combine("schema.json"),
            OutputDirectory = temp.Combine(outName),
            Training = new TrainingOptions { Seed = 42, MaxEpochs = 40, Patience = 8 },
        };
    }
}
