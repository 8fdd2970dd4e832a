using CreditEdge.Core.Packages;
using CreditEdge.Modeling.Adaptation;
using CreditEdge.Modeling.Tests.TestKit;
using CreditEdge.Modeling.Training;
using CreditEdge.TestKit;

namespace CreditEdge.Modeling.Tests;

public sealed class ModelAdapterTests
{
    [Fact]
    public void Adapt_RegionWithShiftedRelationship_ImprovesHeldOutBrierAndEceAndBumpsSequence()
    {
        using var temp = new TempDirectory();
        var schema = SyntheticCredit.WriteSchema(temp.Combine("schema.json"));
        var original = new ModelBuilder(TimeProvider.System).Build(new ModelBuildOptions
        {
            DataPath = SyntheticCredit.WriteData(temp.Combine("data.csv"), 3000),
            SchemaPath = schema,
            OutputDirectory = temp.Combine("original"),
            Training = new TrainingOptions { Seed = 42, MaxEpochs = 30, Patience = 6, HiddenLayers = [16, 8] },
            Teacher = new Teacher.TeacherOptions { Trees = 50, Leaves = 8, LearningRate = 0.1, MinRowsPerLeaf = 20 },
            Pruning = new Pruning.PruningOptions { Levels = [0.5], FineTuneEpochs = 5 },
            MeasureCost = false,
            Sequence = 4,
        });

        var result = new ModelAdapter(TimeProvider.System).Adapt(new ModelAdaptOptions
        {
            PackageDirectory = original.OutputDirectory,
            DataPath = SyntheticCredit.WriteData(temp.Combine("region.csv"), 1500, seed: 11, shifted: true),
            SchemaPath = schema,
            OutputDirectory = temp.Combine("adapted"),
            LearningRate = 1e-3,
            MeasureCost = false,
        });

        var before = result.Before.Single(v => v.Name == "before-fp32");
        var after = result.After.Single(v => v.Name == "fp32");
        Assert.True(after.Test.Brier < before.Test.Brier, $"Brier before {before.Test.Brier}, after {after.Test.Brier}");
        Assert.True(after.Ece < before.Ece, $"ECE before {before.Ece}, after {after.Ece}");
        var package = ModelPackage.Load(result.OutputDirectory);
        Assert.Equal(5, package.Manifest.Sequence);
        Assert.Equal(["fp32", "int8"], package.Manifest.Variants.Select(v => v.Name));
    }
}
