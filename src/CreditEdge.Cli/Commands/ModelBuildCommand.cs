using System.CommandLine;
using CreditEdge.Modeling;
using CreditEdge.Modeling.Training;

namespace CreditEdge.Cli.Commands;

/// <summary><c>cedge model build --data FILE --schema FILE --out DIR [--seed N] [--created-at TIME]</c>.</summary>
public static class ModelBuildCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var data = new Option<FileInfo>("--data") { Description = "Training data file (CSV or space separated, as the schema says).", Required = true };
        var schema = new Option<FileInfo>("--schema") { Description = "Dataset schema (JSON): column roles, input domains, label, split.", Required = true };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Package directory to write.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed for initialization, validation slice and batch order.", DefaultValueFactory = _ => 42 };
        var createdAt = new Option<DateTimeOffset?>("--created-at") { Description = "Creation time written into the manifest (default: a fixed time, for reproducible bytes)." };

        data.AcceptExistingOnly();
        schema.AcceptExistingOnly();

        var command = new Command("build", "Train a model on a data set and write a model package.") { data, schema, outDir, seed, createdAt };
        command.SetAction(parseResult =>
        {
            var options = new ModelBuildOptions
            {
                DataPath = parseResult.GetRequiredValue(data).ToString(),
                SchemaPath = parseResult.GetRequiredValue(schema).ToString(),
                OutputDirectory = parseResult.GetRequiredValue(outDir).ToString(),
                Training = new TrainingOptions { Seed = parseResult.GetValue(seed) },
                CreatedAt = parseResult.GetValue(createdAt) ?? ModelBuildOptions.DefaultCreatedAt,
            };

            var builder = new ModelBuilder(TimeProvider.System, new LineProgress(error));
            var result = builder.Build(options);
            output.WriteLine($"wrote {result.OutputDirectory}: test AUC {result.Test.Auc:F4}, KS {result.Test.Ks:F4}, Brier {result.Test.Brier:F4}; " +
                $"approve ≥ {result.Policy.ApproveMinScore}, decline < {result.Policy.DeclineBelowScore}");
            return CedgeApp.Success;
        });
        return command;
    }
}
