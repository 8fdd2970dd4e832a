using System.CommandLine;
using CreditEdge.Modeling.Adaptation;

namespace CreditEdge.Cli.Commands;

/// <summary><c>cedge model adapt DIR --data FILE --schema FILE --out DIR2 [--seed N] [--learning-rate R] [--version V] [--no-cost]</c>.</summary>
public static class ModelAdaptCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var package = new Argument<DirectoryInfo>("DIR") { Description = "The package to adapt." };
        var data = new Option<FileInfo>("--data") { Description = "The region's data file.", Required = true };
        var schema = new Option<FileInfo>("--schema") { Description = "Its dataset schema (same features as the package).", Required = true };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Directory of the adapted package (sequence + 1).", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed for the validation slice and batch order.", DefaultValueFactory = _ => 42 };
        var learningRate = new Option<double>("--learning-rate") { Description = "Fine-tuning step size.", DefaultValueFactory = _ => new ModelAdaptOptions { PackageDirectory = "", DataPath = "", SchemaPath = "", OutputDirectory = "" }.LearningRate };
        var version = new Option<string?>("--version") { Description = "Version of the adapted package (default: the original's)." };
        var noCost = new Option<bool>("--no-cost") { Description = "Skip latency, throughput and memory measurements." };
        package.AcceptExistingOnly();
        data.AcceptExistingOnly();
        schema.AcceptExistingOnly();

        var command = new Command("adapt", "Fine-tune a package's student on a smaller regional data set, recalibrate, re-quantize, write a new package.")
        {
            package, data, schema, outDir, seed, learningRate, version, noCost,
        };
        command.SetAction(parseResult =>
        {
            var options = new ModelAdaptOptions
            {
                PackageDirectory = parseResult.GetRequiredValue(package).ToString(),
                DataPath = parseResult.GetRequiredValue(data).ToString(),
                SchemaPath = parseResult.GetRequiredValue(schema).ToString(),
                OutputDirectory = parseResult.GetRequiredValue(outDir).ToString(),
                Seed = parseResult.GetValue(seed),
                LearningRate = parseResult.GetValue(learningRate),
                Version = parseResult.GetValue(version),
                MeasureCost = !parseResult.GetValue(noCost),
            };
            var result = new ModelAdapter(TimeProvider.System, new LineProgress(error)).Adapt(options);
            output.WriteLine($"wrote {result.OutputDirectory} (sequence {result.Sequence}); region test split:");
            output.WriteLine("| variant | AUC | Brier | ECE |");
            output.WriteLine("|---|---|---|---|");
            foreach (var v in result.Before.Concat(result.After))
            {
                output.WriteLine($"| {v.Name} | {v.Test.Auc:F4} | {v.Test.Brier:F4} | {v.Ece:F4} |");
            }

            return CedgeApp.Success;
        });
        return command;
    }
}
