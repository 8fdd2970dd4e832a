using System.Globalization;
using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.Modeling.Data;
using CreditEdge.Modeling.Evaluation;
using CreditEdge.Modeling.Onnx;
using CreditEdge.Modeling.Packaging;
using CreditEdge.Modeling.Quantization;
using CreditEdge.Modeling.Training;

namespace CreditEdge.Modeling.Adaptation;

/// <summary>
/// <c>cedge model adapt</c>: fine-tunes a package's fp32 student on a region's (smaller) train split with a small
/// learning rate on the labels, keeping pruned weights at zero; recalibrates it with Platt scaling fitted on the
/// validation slice and folded into the last layer; re-quantizes; writes a new package with sequence + 1 (same id,
/// policy and reason table) and reports before/after on the region's test split.
/// </summary>
public sealed class ModelAdapter
{
    private readonly TimeProvider _timeProvider;
    private readonly IProgress<string>? _progress;

    public ModelAdapter(TimeProvider timeProvider, IProgress<string>? progress = null)
    {
        _timeProvider = timeProvider;
        _progress = progress;
    }

    public ModelAdaptResult Adapt(ModelAdaptOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var original = ModelPackage.Load(options.PackageDirectory);
        var schema = DatasetSchemaReader.Load(options.SchemaPath);
        var names = schema.Inputs.Select(c => c.Name).ToArray();
        if (!names.SequenceEqual(original.Manifest.Features.Select(f => f.Name)))
        {
            throw new ModelBuildException($"the schema's inputs ({string.Join(", ", names)}) are not the package's features ({string.Join(", ", original.Manifest.Features.Select(f => f.Name))})");
        }

        var data = DatasetReader.Read(options.DataPath, schema);
        var train = data.Train();
        var test = data.Test();
        Report($"adapting {original.Manifest.Id} {original.Manifest.Version} (sequence {original.Manifest.Sequence}) on {train.RowCount} train rows; {test.RowCount} test rows");

        var evaluator = new VariantEvaluator(test, original.Policy, costMeter: null);
        var before = original.Manifest.Variants
            .Select(v => evaluator.Evaluate($"before-{v.Name}", $"{original.Manifest.Id} {original.Manifest.Version} as shipped", v.Precision, original.PathOf(v), deployed: false))
            .ToArray();

        var student = OnnxStudentReader.Read(original.PathOf(original.Variant("fp32")));
        var keep = student.Network.Parameters.Select(p => p != 0).ToArray();
        var training = new TrainingOptions { Seed = options.Seed, LearningRate = options.LearningRate, MaxEpochs = options.MaxEpochs, Patience = options.Patience };
        Report($"fine-tuning on the labels: lr {options.LearningRate}, ≤ {options.MaxEpochs} epochs, pruned weights kept at zero");
        var tuned = MlpTrainer.FineTune(student, train, training, teacherLogits: null, keep, _progress, cancellationToken);

        var (_, validationRows, _) = TrainingSplit.Cut(train.RowCount, training);
        var validation = train.Subset(validationRows);
        var logits = tuned.Predict(validation.Features, validation.RowCount).Select(ModelBuilder.Logit).ToArray();
        var (a, b) = PlattScaling.Fit(logits, Enumerable.Range(0, validation.RowCount).Select(validation.Label).ToArray());
        Report(FormattableString.Invariant($"Platt scaling on {validation.RowCount} validation rows: logit' = {a:F4}·logit + {b:F4} (folded into the last layer)"));
        var calibrated = PlattScaling.Fold(tuned, a, b);

        var calibration = train.Subset(GoldenSet.SelectRows(train.RowCount, options.Quantization.CalibrationRows));
        if (options.Quantization.Equalize)
        {
            calibrated = RangeEqualizer.Equalize(calibrated, calibration);
        }

        if (options.Quantization.ProjectWeights)
        {
            calibrated = WeightGridProjector.Project(calibrated, options.Quantization);
        }

        var sequence = original.Manifest.Sequence + 1;
        var version = options.Version ?? original.Manifest.Version;
        var fp32 = OnnxModelWriter.Build(calibrated, $"CreditEdge {original.Manifest.Id} {version}: adapted on {Path.GetFileName(options.DataPath)}, seed {options.Seed}");
        var int8 = QdqQuantizer.Quantize(fp32, calibration.Features, calibration.RowCount, options.Quantization);

        var c = CultureInfo.InvariantCulture;
        var header = new JsonObject
        {
            ["split"] = schema.Split.Describe(schema.Identifier?.Name),
            ["dataFile"] = Path.GetFileName(options.DataPath),
            ["dataSha256"] = ModelPackage.Sha256Of(options.DataPath),
            ["trainRows"] = train.RowCount,
            ["validationRows"] = validation.RowCount,
            ["testRows"] = test.RowCount,
            ["seed"] = options.Seed,
            ["adaptedFrom"] = $"{original.Manifest.Id} {original.Manifest.Version} sequence {original.Manifest.Sequence}",
        };
        var content = new PackageContent
        {
            Id = original.Manifest.Id,
            Version = version,
            Sequence = sequence,
            CreatedAt = options.CreatedAt,
            Description = $"{original.Manifest.Id} adapted to {Path.GetFileName(options.DataPath)}: fine-tuned and Platt-recalibrated from sequence {original.Manifest.Sequence}.",
            SchemaPath = options.SchemaPath,
            Train = train,
            Test = test,
            Fp32 = fp32,
            Fp32Description = "adapted student (fine-tuned, Platt-recalibrated)",
            Fp32Sparsity = Pruning.MagnitudePruner.Sparsity(calibrated.Network),
            Quantized = int8.Onnx,
            Policy = original.Policy,
            Reasons = original.Manifest.Reasons,
            Header = header,
            Settings =
            [
                KeyValuePair.Create("adaptation", string.Create(c, $"fine-tune on labels, Adam lr {options.LearningRate}, ≤ {options.MaxEpochs} epochs, patience {options.Patience}, pruned weights fixed at zero")),
                KeyValuePair.Create("recalibration", string.Create(c, $"Platt scaling a = {a:F4}, b = {b:F4}, folded into the last Gemm")),
                KeyValuePair.Create("quantization", "static QDQ: " + options.Quantization.Describe()),
            ],
            HowMade =
            [
                $"Adapted from `{original.Manifest.Id}` {original.Manifest.Version} (sequence {original.Manifest.Sequence}); policy and reason table kept, reference distributions from the new data.",
                string.Create(c, $"Fine-tuning: labels only, Adam lr {options.LearningRate}, at most {options.MaxEpochs} epochs with early stopping on a validation slice of the new train split; pruned weights stay zero."),
                string.Create(c, $"Recalibration: Platt scaling σ(a·z + b), a = {a:F4}, b = {b:F4}, fitted on the validation slice and folded into the last layer."),
                "Quantization: static QDQ int8, " + options.Quantization.Describe() + ".",
            ],
            Command = $"dotnet run -c Release --project src/CreditEdge.Cli -- model adapt {options.PackageDirectory} --data {options.DataPath} --schema {options.SchemaPath} --out {options.OutputDirectory} --seed {options.Seed}",
            MeasureCost = options.MeasureCost,
        };
        var steps = new List<KeyValuePair<string, double>>();
        var written = new PackageWriter(_timeProvider, _progress).Write(options.OutputDirectory, content, steps);
        var after = written.Report.Variants.Where(v => v.Deployed).ToArray();
        return new ModelAdaptResult(written.Directory, sequence, before, after, a, b);
    }

    private void Report(string message) => _progress?.Report(message);
}
