using System.CommandLine;
using CreditEdge.Modeling.Packaging;

namespace CreditEdge.Cli.Commands;

/// <summary><c>cedge model relabel DIR --schema FILE --out DIR2 --version V --sequence N</c>.</summary>
public static class ModelRelabelCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var package = new Argument<DirectoryInfo>("DIR") { Description = "The package whose texts to rewrite." };
        var schema = new Option<FileInfo>("--schema") { Description = "Dataset schema with the new texts (same inputs, codes and ranges as the package).", Required = true };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "New or empty directory for the relabelled package.", Required = true };
        var version = new Option<string>("--version") { Description = "Version of the relabelled package (must differ from the original's).", Required = true };
        var sequence = new Option<long>("--sequence") { Description = "Manifest sequence of the relabelled package (above the original's).", Required = true };
        package.AcceptExistingOnly();
        schema.AcceptExistingOnly();

        var command = new Command("relabel", "Rewrite a package's labels, units, code labels and reason texts from a schema file, without retraining; model files and golden set are copied byte for byte. The copy is unsigned: sign it with 'cedge model sign'.")
        {
            package, schema, outDir, version, sequence,
        };
        command.SetAction(parseResult =>
        {
            var result = PackageRelabeler.Relabel(
                parseResult.GetRequiredValue(package).FullName,
                parseResult.GetRequiredValue(schema).FullName,
                parseResult.GetRequiredValue(outDir).FullName,
                parseResult.GetRequiredValue(version),
                parseResult.GetRequiredValue(sequence));
            output.WriteLine($"wrote {result.OutputDirectory}: {result.ModelId} {result.Version} (sequence {result.Sequence}), texts from the schema; {result.CopiedFiles.Count} files copied from {result.FromVersion} (sequence {result.FromSequence}), golden replayed ({result.GoldenRecords} records)");
            output.WriteLine(result.SourceWasSigned
                ? "not signed: the original's signature covers the old manifest and was not carried over; sign with 'cedge model sign DIR --key FILE'"
                : "not signed: sign with 'cedge model sign DIR --key FILE' before pushing");
            return CedgeApp.Success;
        });
        return command;
    }
}
