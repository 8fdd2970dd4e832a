using System.CommandLine;
using CreditEdge.Modeling;
using CreditEdge.Modeling.Quantization;
using CreditEdge.Modeling.Reporting;
using CreditEdge.Modeling.Training;

namespace CreditEdge.Cli.Commands;

/// <summary>
/// <c>cedge model build --data FILE --schema FILE --out DIR [--seed N] [--version V] [--sequence N] [--calibration minmax|percentile]
/// [--percentile P] [--keep-float first] [--artifacts DIR] [--no-cost] [--created-at TIME]</c>.
/// </summary>
public static class ModelBuildCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var data = new Option<FileInfo>("--data") { Description = "Training data file (CSV or space separated, as the schema says).", Required = true };
        var schema = new Option<FileInfo>("--schema") { Description = "Dataset schema (JSON): column roles, input domains, label, split.", Required = true };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Package directory to write.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed for the teacher, initialization, validation slice and batch order.", DefaultValueFactory = _ => 42 };
        var version = new Option<string>("--version") { Description = "Package version.", DefaultValueFactory = _ => "1.0.0" };
        var sequence = new Option<long>("--sequence") { Description = "Package sequence number (monotonically increasing per model id).", DefaultValueFactory = _ => 1 };
        var calibration = new Option<string>("--calibration") { Description = "int8 activation calibration: minmax or percentile.", DefaultValueFactory = _ => "percentile" };
        calibration.AcceptOnlyFromAmong("minmax", "percentile");
        var percentile = new Option<double>("--percentile") { Description = "Upper percentile for --calibration percentile.", DefaultValueFactory = _ => new QuantizationOptions().Percentile };
        var keepFloat = new Option<string?>("--keep-float") { Description = "Layers kept in float32 in the int8 model: first, last, first,last or none." };
        keepFloat.AcceptOnlyFromAmong("first", "last", "first,last", "none");
        var artifacts = new Option<DirectoryInfo?>("--artifacts") { Description = "Where the teacher and pruning levels' ONNX files go (default OUT/artifacts; not part of the package)." };
        var noCost = new Option<bool>("--no-cost") { Description = "Skip latency, throughput and memory measurements." };
        var hidden = new Option<string>("--hidden") { Description = "Hidden layer widths of the student, e.g. 64,32.", DefaultValueFactory = _ => string.Join(",", new TrainingOptions().HiddenLayers) };
        var createdAt = new Option<DateTimeOffset?>("--created-at") { Description = "Creation time written into the manifest (default: a fixed time, for reproducible bytes)." };

        var results = new Option<FileInfo?>("--results") { Description = "Also write the lightweighting results page (Markdown) here, e.g. benchmarks/results/lightweighting-taiwan.md." };
        data.AcceptExistingOnly();
        schema.AcceptExistingOnly();

        var command = new Command("build", "Train teacher, distilled student, pruned and int8 variants on a data set and write a model package.")
        {
            data, schema, outDir, seed, version, sequence, calibration, percentile, keepFloat, artifacts, noCost, hidden, createdAt, results,
        };
        command.SetAction(parseResult =>
        {
            var quantization = new QuantizationOptions
            {
                Calibration = parseResult.GetValue(calibration) == "minmax" ? CalibrationMethod.MinMax : CalibrationMethod.Percentile,
                Percentile = parseResult.GetValue(percentile),
            };
            if (parseResult.GetValue(keepFloat) is { } keep)
            {
                quantization = quantization with { KeepFirstLayerFloat = keep.Contains("first", StringComparison.Ordinal), KeepLastLayerFloat = keep.Contains("last", StringComparison.Ordinal) };
            }

            var options = new ModelBuildOptions
            {
                DataPath = parseResult.GetRequiredValue(data).ToString(),
                SchemaPath = parseResult.GetRequiredValue(schema).ToString(),
                OutputDirectory = parseResult.GetRequiredValue(outDir).ToString(),
                Training = new TrainingOptions
                {
                    Seed = parseResult.GetValue(seed),
                    HiddenLayers = parseResult.GetRequiredValue(hidden).Split(',').Select(w => int.Parse(w, System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
                },
                Version = parseResult.GetRequiredValue(version),
                Sequence = parseResult.GetValue(sequence),
                Quantization = quantization,
                ArtifactsDirectory = parseResult.GetValue(artifacts)?.ToString(),
                MeasureCost = !parseResult.GetValue(noCost),
                CreatedAt = parseResult.GetValue(createdAt) ?? ModelBuildOptions.DefaultCreatedAt,
            };

            var builder = new ModelBuilder(TimeProvider.System, new LineProgress(error));
            var started = TimeProvider.System.GetTimestamp();
            var result = builder.Build(options);
            if (parseResult.GetValue(results) is { } resultsFile)
            {
                var line = "dotnet run -c Release --project src/CreditEdge.Cli -- " + string.Join(' ', parseResult.Tokens.Select(t => t.Value));
                File.WriteAllText(resultsFile.FullName, ResultsMarkdown.Render(result, Path.GetFileNameWithoutExtension(options.DataPath), line, TimeProvider.System.GetElapsedTime(started)));
            }

            var int8 = result.Report.Variant("int8");
            output.WriteLine($"wrote {result.OutputDirectory}: fp32 test AUC {result.Test.Auc:F4}, int8 {int8.Test.Auc:F4}, teacher {result.Report.Variant("teacher").Test.Auc:F4}; " +
                $"approve ≥ {result.Policy.ApproveMinScore}, decline < {result.Policy.DeclineBelowScore}");
            return CedgeApp.Success;
        });
        return command;
    }
}
