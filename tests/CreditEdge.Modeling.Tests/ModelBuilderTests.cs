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

        foreach (var file in new[] { ModelBuilder.ModelFile, ModelBuilder.Int8File, ModelPackage.ManifestFile, GoldenSet.FileName, Path.Combine("artifacts", ModelBuilder.TeacherFile) })
        {
            Assert.True(File.ReadAllBytes(Path.Combine(first.OutputDirectory, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(second.OutputDirectory, file))), $"{file} differs");
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
        Assert.Equal(["fp32", "int8"], package.Manifest.Variants.Select(v => v.Name));
        foreach (var variant in package.Manifest.Variants)
        {
            using var session = new InferenceSession(package.PathOf(variant));
            Assert.Equal(["features"], session.InputMetadata.Keys);
            Assert.Equal([-1, 4], session.InputMetadata["features"].Dimensions);
            Assert.Equal(["probability"], session.OutputMetadata.Keys);
            using var runOptions = new RunOptions();
            foreach (var line in lines)
            {
                var record = JsonSerializer.Deserialize(line, PackageJson.Default.GoldenRecord)!;
                using var input = OrtValue.CreateTensorValueFromMemory(record.Input.ToArray(), [1, record.Input.Count]);
                using var outputs = session.Run(runOptions, ["features"], [input], ["probability"]);
                var probability = outputs[0].GetTensorDataAsSpan<float>()[0];
                Assert.True(Math.Abs(probability - record.Expected[variant.Name]) <= 1e-5, $"{variant.Name}: {probability} vs {record.Expected[variant.Name]}");
                Assert.Equal(record.Input.Count, record.Features.Count);
            }
        }

        Assert.True(File.Exists(Path.Combine(result.OutputDirectory, "report.html")));
        Assert.True(new FileInfo(Path.Combine(result.OutputDirectory, "roc.png")).Length > 1000);
    }

    [Fact]
    public void Build_SyntheticDataWithKnownRelationship_LearnsIt()
    {
        using var temp = new TempDirectory();
        var result = CreateSut().Build(Options(temp, "learn"));

        Assert.Equal(Rows / 5, result.Test.Rows);
        Assert.True(result.Test.Auc > 0.75, $"test AUC {result.Test.Auc}");
        Assert.True(result.Report.Variant("int8").Test.Auc > 0.75, $"int8 test AUC {result.Report.Variant("int8").Test.Auc}");
        Assert.True(result.Report.Variant("teacher").Test.Auc > 0.7, $"teacher test AUC {result.Report.Variant("teacher").Test.Auc}");
        var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(result.OutputDirectory, ModelBuilder.MetricsFile))).RootElement;
        var fp32 = metrics.GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("name").GetString() == "fp32");
        Assert.Equal(Math.Round(result.Test.Auc, 6), fp32.GetProperty("testAuc").GetDouble());
        Assert.Equal(2, metrics.GetProperty("pruning").GetArrayLength());
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
            Training = new TrainingOptions { Seed = 42, MaxEpochs = 40, Patience = 8, HiddenLayers = [16, 8] },
            Teacher = new Teacher.TeacherOptions { Trees = 50, Leaves = 8, LearningRate = 0.1, MinRowsPerLeaf = 20 },
            Pruning = new Pruning.PruningOptions { Levels = [0.5], FineTuneEpochs = 5 },
            MeasureCost = false,
        };
    }
}
