using CreditEdge.Modeling.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;
using Onnx;

namespace CreditEdge.Modeling.Teacher;

/// <summary>
/// Trains the gradient-boosted teacher with ML.NET LightGBM on raw inputs (categorical code indices as numbers: trees
/// split them as they like), exports it with ML.NET's ONNX converter from a features-only data view (else the graph
/// would demand a Label input) keeping the Probability column, and rewrites the graph to the package contract.
/// </summary>
public static class LightGbmTeacher
{
    public static TeacherModel Train(Dataset train, TeacherOptions options, int seed)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        var ml = new MLContext(seed);
        var width = train.FeatureCount;
        var definition = SchemaDefinition.Create(typeof(TeacherExample));
        definition[nameof(TeacherExample.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        var rows = Enumerable.Range(0, train.RowCount)
            .Select(r => new TeacherExample { Features = train.Row(r).ToArray(), Label = train.Label(r) == 1 })
            .ToArray();
        var data = ml.Data.LoadFromEnumerable(rows, definition);

        var trainer = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            LabelColumnName = nameof(TeacherExample.Label),
            FeatureColumnName = nameof(TeacherExample.Features),
            NumberOfLeaves = options.Leaves,
            NumberOfIterations = options.Trees,
            LearningRate = options.LearningRate,
            MinimumExampleCountPerLeaf = options.MinRowsPerLeaf,
            NumberOfThreads = 1,
            Seed = seed,
            Deterministic = true,
            Silent = true,
            Booster = new GradientBooster.Options { L2Regularization = options.L2 },
        });
        var model = trainer.Fit(data);

        // features only: the exported graph then needs no Label input
        var featuresOnly = ml.Data.LoadFromEnumerable(rows.Take(1).Select(r => new FeaturesOnly { Features = r.Features }), FeaturesDefinition(width));
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(model, featuresOnly, stream, "Probability");
        var proto = ModelProto.Parser.ParseFrom(stream.ToArray());
        TeacherGraphRewriter.Rewrite(proto, width, $"CreditEdge teacher: LightGBM {options.Trees} trees, {options.Leaves} leaves, lr {options.LearningRate}, seed {seed}");
        return new TeacherModel(proto, options, options.Trees);
    }

    private static SchemaDefinition FeaturesDefinition(int width)
    {
        var definition = SchemaDefinition.Create(typeof(FeaturesOnly));
        definition[nameof(FeaturesOnly.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return definition;
    }

    private sealed class FeaturesOnly
    {
        public float[] Features { get; set; } = [];
    }
}
