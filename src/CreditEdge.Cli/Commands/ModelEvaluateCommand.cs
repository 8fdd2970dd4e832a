using System.CommandLine;
using CreditEdge.Modeling.Evaluation;
using CreditEdge.Modeling.Reporting;

namespace CreditEdge.Cli.Commands;

/// <summary><c>cedge model evaluate DIR --data FILE [--schema FILE] [--out FILE] [--no-cost]</c>.</summary>
public static class ModelEvaluateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var package = new Argument<DirectoryInfo>("DIR") { Description = "The package to evaluate." };
        var data = new Option<FileInfo>("--data") { Description = "Data file; its test split is scored.", Required = true };
        var schema = new Option<FileInfo?>("--schema") { Description = "Dataset schema (default: the package's dataset.schema.json)." };
        var outFile = new Option<FileInfo?>("--out") { Description = "Write the metrics as JSON to this file." };
        var noCost = new Option<bool>("--no-cost") { Description = "Skip latency, throughput and memory measurements." };
        package.AcceptExistingOnly();
        data.AcceptExistingOnly();

        var command = new Command("evaluate", "Score a data file's test split with every variant of a package and print the metrics.") { package, data, schema, outFile, noCost };
        command.SetAction(parseResult =>
        {
            var report = new PackageEvaluator(TimeProvider.System, new LineProgress(error)).Evaluate(
                parseResult.GetRequiredValue(package).ToString(),
                parseResult.GetRequiredValue(data).ToString(),
                parseResult.GetValue(schema)?.ToString(),
                measureCost: !parseResult.GetValue(noCost));
            output.WriteLine(MarkdownTables.Variants(report));
            output.WriteLine(MarkdownTables.Parity(report.Parity));
            output.WriteLine(MarkdownTables.Fairness(report));
            if (parseResult.GetValue(outFile) is { } file)
            {
                File.WriteAllText(file.FullName, MetricsJson.Full(report, []).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
                output.WriteLine($"wrote {file.FullName}");
            }

            return CedgeApp.Success;
        });
        return command;
    }
}
