using System.Globalization;
using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.Inference;
using CreditEdge.Modeling.Data;
using CreditEdge.Modeling.Evaluation;
using CreditEdge.Modeling.Onnx;
using CreditEdge.Modeling.Packaging;
using CreditEdge.Modeling.Pruning;
using CreditEdge.Modeling.Quantization;
using CreditEdge.Modeling.Teacher;
using CreditEdge.Modeling.Training;
using Google.Protobuf;

namespace CreditEdge.Modeling;

/// <summary>
/// <c>cedge model build</c>: read the data by its schema; train the LightGBM teacher and export it to ONNX; distill the
/// MLP student from the teacher's logits; prune it with fine-tuning and keep the sparsest level that costs at most
/// 0.002 validation AUC; quantize that to static QDQ int8; evaluate every variant on the test split; write the package
/// (fp32 + int8) and load it back as the device would.
/// </summary>
public sealed class ModelBuilder
{
    public const string ModelFile = PackageWriter.Fp32File;
    public const string Int8File = PackageWriter.Int8File;
    public const string MetricsFile = PackageWriter.MetricsFile;
    public const string TeacherFile = "teacher.onnx";

    /// <summary>Largest allowed difference between ONNX Runtime and the C# forward pass.</summary>
    public const double ForwardTolerance = 1e-5;

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
        var steps = new List<KeyValuePair<string, double>>();

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
        Directory.CreateDirectory(options.OutputDirectory);
        var artifacts = options.ArtifactsDirectory ?? Path.Combine(options.OutputDirectory, "artifacts");
        Directory.CreateDirectory(artifacts);

        // 1. teacher
        var started = _timeProvider.GetTimestamp();
        var t = options.Teacher;
        Report($"teacher: LightGBM, {t.Trees} trees of {t.Leaves} leaves, learning rate {t.LearningRate} (1 thread, seed {seed})");
        var teacher = LightGbmTeacher.Train(train, t, seed);
        var teacherPath = Path.Combine(artifacts, TeacherFile);
        File.WriteAllBytes(teacherPath, teacher.Onnx.ToByteArray());
        double[] teacherLogits;
        using (var scorer = OnnxScorer.Load(teacherPath))
        {
            teacherLogits = scorer.Score(train.Features, train.RowCount).Select(p => Logit(p)).ToArray();
            var teacherTest = scorer.Score(test.Features, test.RowCount).Select(p => (double)p).ToArray();
            Report($"teacher: test AUC {BinaryMetrics.Auc(teacherTest, Labels(test)):F4}, ONNX {new FileInfo(teacherPath).Length / 1024.0:F0} KiB");
        }

        steps.Add(KeyValuePair.Create("teacher", _timeProvider.GetElapsedTime(started).TotalSeconds));

        // 2. student by distillation
        started = _timeProvider.GetTimestamp();
        var d = options.Training.Distillation;
        Report($"student: {schema.Inputs.Count} → {string.Join(" → ", options.Training.HiddenLayers)} → 1 MLP distilled from the teacher (T = {d.Temperature}, α = {d.Alpha}, seed {seed})");
        var student = MlpTrainer.Train(train, options.Training, teacherLogits, _progress, cancellationToken);
        var trainingTime = _timeProvider.GetElapsedTime(started);
        steps.Add(KeyValuePair.Create("student", trainingTime.TotalSeconds));
        Report($"student trained in {trainingTime.TotalSeconds:F1} s: best epoch {student.Summary.BestEpoch} of {student.Summary.EpochsRun}, validation loss {student.Summary.BestValidationLoss:F5}");

        // 3. pruning
        started = _timeProvider.GetTimestamp();
        Report($"pruning: levels {string.Join(", ", options.Pruning.Levels.Select(l => l.ToString("P0", CultureInfo.InvariantCulture)))}, fine-tuning {options.Pruning.FineTuneEpochs} epochs max at lr {options.Pruning.FineTuneLearningRate}");
        var pruning = PruningSearch.Run(student, train, test, teacherLogits, options.Training, options.Pruning, artifacts, _progress, cancellationToken);
        var deployed = pruning.Chosen;
        steps.Add(KeyValuePair.Create("pruning", _timeProvider.GetElapsedTime(started).TotalSeconds));
        Report($"deployed sparsity {pruning.ChosenStep.ActualSparsity:P1} (largest level with validation AUC loss ≤ {options.Pruning.MaxAucLoss})");

        var calibrationRows = GoldenSet.SelectRows(train.RowCount, options.Quantization.CalibrationRows);
        var calibration = train.Subset(calibrationRows);
        if (options.Quantization.Equalize)
        {
            Report("equalizing input and hidden-unit ranges for per-tensor int8 activations (function unchanged)");
            deployed = RangeEqualizer.Equalize(deployed, calibration);
        }

        if (options.Quantization.ProjectWeights)
        {
            Report("projecting the fp32 weights of the int8 layers onto their int8 grid (fp32 and int8 then share weights)");
            deployed = WeightGridProjector.Project(deployed, options.Quantization);
        }

        var id = options.ModelId ?? schema.Name;
        var network = string.Join("-", deployed.Network.LayerSizes);
        var fp32 = OnnxModelWriter.Build(deployed, $"CreditEdge {id} {options.Version}: MLP {network}, distilled, {pruning.ChosenStep.ActualSparsity:P0} sparse, seed {seed}");
        CheckAgainstForwardPass(deployed, fp32, train, "train");
        CheckAgainstForwardPass(deployed, fp32, test, "test");

        // 4. quantization
        started = _timeProvider.GetTimestamp();
        var q = options.Quantization;
        Report($"quantizing to static QDQ int8 ({q.Describe()})");
        var int8 = QdqQuantizer.Quantize(fp32, calibration.Features, calibration.RowCount, q);
        steps.Add(KeyValuePair.Create("quantization", _timeProvider.GetElapsedTime(started).TotalSeconds));

        var studentPath = Path.Combine(artifacts, "student.fp32.onnx");
        OnnxModelWriter.Write(student, $"CreditEdge {id}: unpruned distilled student", studentPath);
        var compared = new List<ComparedModel>
        {
            new("teacher", $"LightGBM {t.Trees} trees × {t.Leaves} leaves (artifacts/{TeacherFile}, not shipped)", "fp32", teacherPath),
        };
        if (pruning.ChosenStep.TargetSparsity > 0)
        {
            compared.Add(new("student", "distilled MLP before pruning (not shipped)", "fp32", studentPath));
        }

        var header = new JsonObject
        {
            ["split"] = schema.Split.Describe(schema.Identifier?.Name),
            ["dataFile"] = Path.GetFileName(options.DataPath),
            ["dataSha256"] = dataSha256,
            ["trainRows"] = train.RowCount,
            ["validationRows"] = student.Summary.ValidationRows,
            ["testRows"] = test.RowCount,
            ["trainBadRate"] = Math.Round(train.BadRate, 6),
            ["testBadRate"] = Math.Round(test.BadRate, 6),
            ["seed"] = seed,
            ["epochs"] = student.Summary.EpochsRun,
            ["bestEpoch"] = student.Summary.BestEpoch,
        };
        var command = options.Command ?? $"dotnet run -c Release --project src/CreditEdge.Cli -- model build --data {options.DataPath} --schema {options.SchemaPath} --out {options.OutputDirectory} --seed {seed} --version {options.Version} --sequence {options.Sequence}";
        var content = new PackageContent
        {
            Id = id,
            Version = options.Version,
            Sequence = options.Sequence,
            CreatedAt = options.CreatedAt,
            Description = $"Probability of default for {schema.Name}: MLP {network} distilled from a LightGBM teacher, {pruning.ChosenStep.ActualSparsity:P0} of weights pruned, fp32 and static int8, trained on {Path.GetFileName(options.DataPath)} with seed {seed}.",
            SchemaPath = options.SchemaPath,
            Train = train,
            Test = test,
            Fp32 = fp32,
            Fp32Description = pruning.ChosenStep.TargetSparsity > 0 ? $"distilled MLP, pruned to {pruning.ChosenStep.ActualSparsity:P0} and fine-tuned" : "distilled MLP (no pruning level qualified)",
            Fp32Sparsity = pruning.ChosenStep.ActualSparsity,
            Quantized = int8.Onnx,
            Header = header,
            Compared = compared,
            Pruning = pruning.Steps,
            Settings = Settings(options, pruning),
            HowMade = HowMade(options, schema, student, pruning),
            Command = command,
            GoldenRows = options.GoldenRows,
            MeasureCost = options.MeasureCost,
        };

        var written = new PackageWriter(_timeProvider, _progress).Write(options.OutputDirectory, content, steps);
        var int8Metrics = written.Report.Variant("int8");
        Report($"int8: test AUC {int8Metrics.Test.Auc:F4}; fp32 {written.Test.Auc:F4}; approve flips {written.Report.Parity.ApproveFlips:P2}; reason sets changed {written.Report.Parity.ReasonSetChanged:P2}");
        return new ModelBuildResult(written.Directory, written.Train, written.Test, written.Policy, student.Summary, trainingTime, written.GoldenRecords, written.Report);
    }

    /// <summary>The logit of a probability, kept finite.</summary>
    public static double Logit(double p)
    {
        var clamped = Math.Clamp(p, 1e-7, 1 - 1e-7);
        return Math.Log(clamped / (1 - clamped));
    }

    private static List<KeyValuePair<string, string>> Settings(ModelBuildOptions options, PruningOutcome pruning)
    {
        var c = CultureInfo.InvariantCulture;
        var t = options.Teacher;
        var s = options.Training;
        var p = options.Pruning;
        return
        [
            KeyValuePair.Create("teacher", string.Create(c, $"LightGBM {t.Trees} trees, {t.Leaves} leaves, lr {t.LearningRate}, min {t.MinRowsPerLeaf} rows/leaf, L2 {t.L2}, 1 thread")),
            KeyValuePair.Create("student", string.Create(c, $"MLP hidden {string.Join("x", s.HiddenLayers)}, Adam lr {s.LearningRate}, batch {s.BatchSize}, L2 {s.L2}, patience {s.Patience}")),
            KeyValuePair.Create("distillation", string.Create(c, $"α·BCE(label) + (1−α)·T²·BCE(σ(z/T), σ(z_teacher/T)), T = {s.Distillation.Temperature}, α = {s.Distillation.Alpha}")),
            KeyValuePair.Create("pruning", string.Create(c, $"per-layer magnitude, gradual {string.Join("/", p.Levels.Select(l => (l * 100).ToString("F0", c)))} %, fine-tune ≤ {p.FineTuneEpochs} epochs lr {p.FineTuneLearningRate} with masks fixed; deployed {pruning.ChosenStep.ActualSparsity:P1} (validation AUC loss ≤ {p.MaxAucLoss})")),
            KeyValuePair.Create("quantization", "static QDQ: int8 symmetric per-channel weights, uint8 per-tensor activations; " + options.Quantization.Describe()),
        ];
    }

    private static List<string> HowMade(ModelBuildOptions options, DatasetSchema schema, TrainedModel student, PruningOutcome pruning)
    {
        var c = CultureInfo.InvariantCulture;
        var t = options.Teacher;
        var s = options.Training;
        var compressed = student.Encoder.NumericIndex.Where((_, k) => student.Encoder.Compress[k]).Select(i => $"`{schema.Inputs[i].Name}`");
        return
        [
            string.Create(c, $"Teacher: ML.NET LightGBM, {t.Trees} trees of at most {t.Leaves} leaves, learning rate {t.LearningRate}, at least {t.MinRowsPerLeaf} rows per leaf, L2 {t.L2}, one thread; exported with ML.NET's ONNX converter and rewritten to the package contract. Kept in the build's artifacts folder, not shipped."),
            string.Create(c, $"Student: fully connected {string.Join(" → ", student.Network.LayerSizes)} (ReLU, sigmoid), inputs standardized with train mean/std and categorical inputs one-hot encoded inside the graph; the amounts ({string.Join(", ", compressed)}) are first compressed to x / (|x| + c), c = their train median |x| (exact float ops, so scores stay batch-invariant; a Log would not)."),
            string.Create(c, $"Distillation: loss = α·BCE(y, σ(z)) + (1 − α)·T²·BCE(σ(z_teacher/T), σ(z/T)) with T = {s.Distillation.Temperature}, α = {s.Distillation.Alpha}; Adam lr {s.LearningRate}, batch {s.BatchSize}, L2 {s.L2}; early stopping on validation label loss (best epoch {student.Summary.BestEpoch} of {student.Summary.EpochsRun})."),
            string.Create(c, $"Pruning: per-layer magnitude pruning, gradual over {string.Join(", ", options.Pruning.Levels.Select(l => l.ToString("P0", c)))}, each level fine-tuned with the distillation loss and its mask fixed; deployed: the sparsest level whose validation AUC is within {options.Pruning.MaxAucLoss} of the unpruned student's → {pruning.ChosenStep.ActualSparsity:P1} of weights are zero."),
            "Quantization: static QDQ int8 written by cedge (QuantizeLinear/DequantizeLinear around every Gemm input), weights int8 symmetric per output channel, activations uint8 per tensor, " + options.Quantization.Describe() + ". ORT fuses it into QGemm; never dynamic quantization (which makes a row's score depend on its batch).",
        ];
    }

    private static void CheckAgainstForwardPass(TrainedModel model, global::Onnx.ModelProto proto, Dataset rows, string split)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cedge-check-{Environment.ProcessId}-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(path, proto.ToByteArray());
            using var scorer = OnnxScorer.Load(path);
            var ortScores = scorer.Score(rows.Features, rows.RowCount);
            var expected = model.Predict(rows.Features, rows.RowCount);
            for (var r = 0; r < rows.RowCount; r++)
            {
                if (Math.Abs(expected[r] - ortScores[r]) > ForwardTolerance)
                {
                    throw new ModelBuildException($"ONNX Runtime gives {ortScores[r]} for {split} row {r + 1}; the C# forward pass gives {expected[r]} (tolerance {ForwardTolerance})");
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static int[] Labels(Dataset rows) => Enumerable.Range(0, rows.RowCount).Select(rows.Label).ToArray();

    private void Report(string message) => _progress?.Report(message);
}
