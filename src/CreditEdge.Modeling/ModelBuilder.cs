using System.Text.Json;
using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.Modeling.Data;
using CreditEdge.Modeling.Evaluation;
using CreditEdge.Modeling.Onnx;
using CreditEdge.Modeling.Packaging;
using CreditEdge.Modeling.Training;

namespace CreditEdge.Modeling;

/// <summary>
/// <c>cedge model build</c>: read the data by its schema, train on the train split, write the ONNX graph, check it
/// against the C# forward pass, evaluate on the test split, write the package and load it back as the device would.
/// </summary>
public sealed class ModelBuilder
{
    public const string ModelFile = "model.fp32.onnx";
    public const string MetricsFile = "metrics.json";

    /// <summary>Largest allowed difference between ONNX Runtime and the C# forward pass.</summary>
    public const double ForwardTolerance = 1e-5;

    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    private readonly TimeProvider _timeProvider;
    private readonly IProgress<string>? _progress;

    public ModelBuilder(TimeProvider timeProvider, IProgress<string>? progress = null)
    {
        _timeProvider = timeProvider;
        _progress = progress;
    }

    public ModelBuildResult Build(ModelBuildOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var seed = options.Training.Seed;

        Report($"reading schema {options.SchemaPath}");
        var schema = DatasetSchemaReader.Load(options.SchemaPath);
        Report($"reading data {options.DataPath}");
        var data = DatasetReader.Read(options.DataPath, schema);
        var dataSha256 = ModelPackage.Sha256Of(options.DataPath);
        var train = data.Train();
        var test = data.Test();
        if (train.RowCount < 10 || test.RowCount == 0)
        {
            throw new ModelBuildException($"the split gives {train.RowCount} train and {test.RowCount} test rows; both need rows");
        }

        Report($"{data.RowCount} rows: {train.RowCount} train (bad rate {train.BadRate:P1}), {test.RowCount} test (bad rate {test.BadRate:P1})");

        Report($"training {schema.Inputs.Count} → {string.Join(" → ", options.Training.HiddenLayers)} → 1 network (seed {seed})");
        var started = _timeProvider.GetTimestamp();
        var model = MlpTrainer.Train(train, options.Training, _progress, cancellationToken);
        var trainingTime = _timeProvider.GetElapsedTime(started);
        Report($"trained in {trainingTime.TotalSeconds:F1} s: best epoch {model.Summary.BestEpoch} of {model.Summary.EpochsRun}, validation loss {model.Summary.BestValidationLoss:F5}");

        var id = options.ModelId ?? schema.Name;
        Directory.CreateDirectory(options.OutputDirectory);
        var modelPath = Path.Combine(options.OutputDirectory, ModelFile);
        var network = string.Join("-", model.Network.LayerSizes);
        OnnxModelWriter.Write(model, $"CreditEdge {id} {options.Version}: MLP {network}, seed {seed}", modelPath);

        Report("scoring train and test splits with ONNX Runtime");
        float[] trainScores, testScores;
        using (var scorer = new OnnxScorer(modelPath))
        {
            trainScores = scorer.Score(train.Features, train.RowCount);
            testScores = scorer.Score(test.Features, test.RowCount);
        }

        CheckAgainstForwardPass(model, train, trainScores, "train");
        CheckAgainstForwardPass(model, test, testScores, "test");

        var trainProbabilities = trainScores.Select(p => (double)p).ToArray();
        var trainResult = BinaryMetrics.Evaluate(trainProbabilities, Labels(train));
        var testResult = BinaryMetrics.Evaluate(testScores.Select(p => (double)p).ToArray(), Labels(test));
        Report($"test AUC {testResult.Auc:F4}, KS {testResult.Ks:F4}, Brier {testResult.Brier:F4}");

        var policy = PolicyCalibration.FromTrainingProbabilities(trainProbabilities);
        var metrics = Metrics(schema, model.Summary, trainResult, testResult, seed, dataSha256);
        var manifest = new ModelManifest
        {
            Id = id,
            Version = options.Version,
            Sequence = options.Sequence,
            CreatedAt = options.CreatedAt,
            Description = $"Probability of default for {schema.Name}: MLP {schema.Inputs.Count} inputs ({network} after one-hot encoding) trained on {Path.GetFileName(options.DataPath)} with seed {seed}.",
            Features = schema.ToFeatureDefinitions(),
            NonInputs = schema.ToNonInputFields(),
            Policy = policy,
            Reasons = ReasonTableBuilder.Build(train),
            Reference = ReferenceBuilder.Build(train, trainProbabilities, policy),
            Metrics = metrics,
            Variants =
            [
                new ModelVariant
                {
                    Name = "fp32",
                    File = ModelFile,
                    Precision = "fp32",
                    Sha256 = ModelPackage.Sha256Of(modelPath),
                    SizeBytes = new FileInfo(modelPath).Length,
                },
            ],
            Golden = GoldenSet.FileName,
        };

        Report("writing package");
        using (var stream = File.Create(Path.Combine(options.OutputDirectory, ModelPackage.ManifestFile)))
        {
            JsonSerializer.Serialize(stream, manifest, PackageJson.Default.ModelManifest);
        }

        var goldenRows = GoldenSet.SelectRows(test.RowCount, options.GoldenRows);
        var golden = GoldenSet.Create(test.Subset(goldenRows), goldenRows.Select(r => testScores[r]).ToArray());
        GoldenSet.Write(Path.Combine(options.OutputDirectory, GoldenSet.FileName), golden);

        var fileMetrics = (JsonObject)metrics.DeepClone();
        fileMetrics["trainingSeconds"] = Math.Round(trainingTime.TotalSeconds, 1);
        File.WriteAllText(Path.Combine(options.OutputDirectory, MetricsFile), fileMetrics.ToJsonString(IndentedJson) + "\n");

        var result = new ModelBuildResult(Path.GetFullPath(options.OutputDirectory), trainResult, testResult, policy, model.Summary, trainingTime, golden.Count);
        File.WriteAllText(Path.Combine(options.OutputDirectory, ModelCardWriter.FileName), ModelCardWriter.Render(manifest, schema, result, options, dataSha256));

        Report("self-check: loading the package and replaying golden.jsonl in a fresh ONNX Runtime session");
        PackageSelfCheck.Verify(options.OutputDirectory);
        return result;
    }

    private static void CheckAgainstForwardPass(TrainedModel model, Dataset rows, float[] ortScores, string split)
    {
        var expected = model.Predict(rows.Features, rows.RowCount);
        for (var r = 0; r < rows.RowCount; r++)
        {
            if (Math.Abs(expected[r] - ortScores[r]) > ForwardTolerance)
            {
                throw new ModelBuildException($"ONNX Runtime gives {ortScores[r]} for {split} row {r + 1}; the C# forward pass gives {expected[r]} (tolerance {ForwardTolerance})");
            }
        }
    }

    private static int[] Labels(Dataset rows) => Enumerable.Range(0, rows.RowCount).Select(rows.Label).ToArray();

    private static JsonObject Metrics(DatasetSchema schema, TrainingSummary summary, EvaluationResult train, EvaluationResult test, int seed, string dataSha256) => new()
    {
        ["split"] = schema.Split.Describe(schema.Identifier?.Name),
        ["trainRows"] = train.Rows,
        ["validationRows"] = summary.ValidationRows,
        ["testRows"] = test.Rows,
        ["trainBadRate"] = Round(train.BadRate),
        ["testBadRate"] = Round(test.BadRate),
        ["testAuc"] = Round(test.Auc),
        ["testKs"] = Round(test.Ks),
        ["testGini"] = Round(test.Gini),
        ["testBrier"] = Round(test.Brier),
        ["trainAuc"] = Round(train.Auc),
        ["trainKs"] = Round(train.Ks),
        ["seed"] = seed,
        ["epochs"] = summary.EpochsRun,
        ["bestEpoch"] = summary.BestEpoch,
        ["dataSha256"] = dataSha256,
    };

    private static double Round(double value) => Math.Round(value, 6);

    private void Report(string message) => _progress?.Report(message);
}
