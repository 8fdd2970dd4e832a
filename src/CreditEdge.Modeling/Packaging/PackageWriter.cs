using System.Text.Json;
using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Policy;
using CreditEdge.Inference;
using CreditEdge.Modeling.Evaluation;
using CreditEdge.Modeling.Onnx;
using CreditEdge.Modeling.Reporting;
using Google.Protobuf;

namespace CreditEdge.Modeling.Packaging;

/// <summary>
/// Writes a package directory: model.fp32.onnx, model.int8.onnx, manifest.json (variants fp32 then int8), golden.jsonl
/// (expected probability of both, from ORT on the exact files), metrics.json, report.html with its PNGs, MODEL_CARD.md
/// and dataset.schema.json (the schema the data was read with); then reads it back as the device would.
/// </summary>
public sealed class PackageWriter
{
    public const string Fp32File = "model.fp32.onnx";
    public const string Int8File = "model.int8.onnx";
    public const string MetricsFile = "metrics.json";
    public const string SchemaFile = "dataset.schema.json";

    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    private readonly TimeProvider _timeProvider;
    private readonly IProgress<string>? _progress;

    public PackageWriter(TimeProvider timeProvider, IProgress<string>? progress)
    {
        _timeProvider = timeProvider;
        _progress = progress;
    }

    public PackageResult Write(string directory, PackageContent content, IList<KeyValuePair<string, double>> stepSeconds)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(stepSeconds);
        Directory.CreateDirectory(directory);
        var fp32Path = Path.Combine(directory, Fp32File);
        var int8Path = Path.Combine(directory, Int8File);
        File.WriteAllBytes(fp32Path, content.Fp32.ToByteArray());
        File.WriteAllBytes(int8Path, content.Quantized.ToByteArray());

        float[] trainScores, testFp32, testInt8;
        using (var scorer = OnnxScorer.Load(fp32Path))
        {
            trainScores = scorer.Score(content.Train.Features, content.Train.RowCount);
            testFp32 = scorer.Score(content.Test.Features, content.Test.RowCount);
        }

        using (var scorer = OnnxScorer.Load(int8Path))
        {
            testInt8 = scorer.Score(content.Test.Features, content.Test.RowCount);
        }

        var trainProbabilities = trainScores.Select(p => (double)p).ToArray();
        var policy = content.Policy ?? PolicyCalibration.FromTrainingProbabilities(trainProbabilities);
        var reasons = content.Reasons ?? ReasonTableBuilder.Build(content.Train);
        var attribution = new ReasonAttribution(content.Train.Schema.Inputs.Select(c => c.Name).ToArray(), reasons);

        var started = _timeProvider.GetTimestamp();
        Report("evaluating every variant on the test split" + (content.MeasureCost ? " (accuracy, size, latency, memory, fairness)" : string.Empty));
        var evaluator = new VariantEvaluator(content.Test, policy, content.MeasureCost ? new OrtCostMeter(_timeProvider) : null);
        var variants = content.Compared
            .Select(m => evaluator.Evaluate(m.Name, m.Description, m.Precision, m.Path, deployed: false, m.Sparsity))
            .Append(evaluator.Evaluate("fp32", content.Fp32Description, "fp32", fp32Path, deployed: true, content.Fp32Sparsity))
            .Append(evaluator.Evaluate("int8", "static QDQ int8 of the fp32 variant", "int8", int8Path, deployed: true, content.Fp32Sparsity))
            .ToArray();
        Report("fp32 ↔ int8 parity: probabilities, decisions at both cutoffs, top-4 reason codes");
        var parity = ParityMeter.Compare("fp32", fp32Path, "int8", int8Path, content.Test, policy, attribution);
        stepSeconds.Add(KeyValuePair.Create("evaluation", _timeProvider.GetElapsedTime(started).TotalSeconds));

        var report = new LightweightingReport
        {
            Title = $"{content.Id} {content.Version} (sequence {content.Sequence})",
            Variants = variants,
            Parity = parity,
            Labels = Enumerable.Range(0, content.Test.RowCount).Select(content.Test.Label).ToArray(),
            Pruning = content.Pruning,
            Settings = content.Settings,
            StepSeconds = [.. stepSeconds],
        };

        Report("writing package, report and model card");
        var manifest = new ModelManifest
        {
            Id = content.Id,
            Version = content.Version,
            Sequence = content.Sequence,
            CreatedAt = content.CreatedAt,
            Description = content.Description,
            Features = content.Train.Schema.ToFeatureDefinitions(),
            NonInputs = content.Train.Schema.ToNonInputFields(),
            Policy = policy,
            Reasons = reasons,
            Reference = ReferenceBuilder.Build(content.Train, trainProbabilities, policy),
            Metrics = MetricsJson.Deterministic(report, content.Header),
            Variants = [VariantOf("fp32", fp32Path), VariantOf("int8", int8Path)],
            Golden = GoldenSet.FileName,
        };
        using (var stream = File.Create(Path.Combine(directory, ModelPackage.ManifestFile)))
        {
            JsonSerializer.Serialize(stream, manifest, PackageJson.Default.ModelManifest);
        }

        var goldenRows = GoldenSet.SelectRows(content.Test.RowCount, content.GoldenRows);
        var expected = new Dictionary<string, float[]>(StringComparer.Ordinal)
        {
            ["fp32"] = goldenRows.Select(r => testFp32[r]).ToArray(),
            ["int8"] = goldenRows.Select(r => testInt8[r]).ToArray(),
        };
        var golden = GoldenSet.Create(content.Test.Subset(goldenRows), expected);
        GoldenSet.Write(Path.Combine(directory, GoldenSet.FileName), golden);

        File.WriteAllText(Path.Combine(directory, MetricsFile), MetricsJson.Full(report, content.Header).ToJsonString(IndentedJson) + "\n");
        HtmlReportWriter.Write(directory, report);
        File.WriteAllText(Path.Combine(directory, ModelCardWriter.FileName), ModelCardWriter.Render(manifest, content.Train.Schema, report, content.HowMade, content.Command));
        if (!string.Equals(Path.GetFullPath(content.SchemaPath), Path.GetFullPath(Path.Combine(directory, SchemaFile)), StringComparison.Ordinal))
        {
            File.Copy(content.SchemaPath, Path.Combine(directory, SchemaFile), overwrite: true);
        }

        Report("self-check: loading the package and replaying golden.jsonl for both variants in a fresh ONNX Runtime session");
        PackageSelfCheck.Verify(directory);
        var fp32 = report.Variant("fp32");
        return new PackageResult(Path.GetFullPath(directory), BinaryMetrics.Evaluate(trainProbabilities, Enumerable.Range(0, content.Train.RowCount).Select(content.Train.Label).ToArray()),
            fp32.Test, policy, report, golden.Count);
    }

    private static ModelVariant VariantOf(string name, string path) => new()
    {
        Name = name,
        File = Path.GetFileName(path),
        Precision = name,
        Sha256 = ModelPackage.Sha256Of(path),
        SizeBytes = new FileInfo(path).Length,
    };

    private void Report(string message) => _progress?.Report(message);
}
