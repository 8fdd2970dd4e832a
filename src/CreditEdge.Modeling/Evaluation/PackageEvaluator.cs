using CreditEdge.Core.Packages;
using CreditEdge.Modeling.Data;
using CreditEdge.Modeling.Packaging;

namespace CreditEdge.Modeling.Evaluation;

/// <summary><c>cedge model evaluate</c>: every variant of an existing package on a data file's test split, plus fp32 ↔ int8 parity.</summary>
public sealed class PackageEvaluator
{
    private readonly TimeProvider _timeProvider;
    private readonly IProgress<string>? _progress;

    public PackageEvaluator(TimeProvider timeProvider, IProgress<string>? progress = null)
    {
        _timeProvider = timeProvider;
        _progress = progress;
    }

    /// <param name="schemaPath">Null: the package's <c>dataset.schema.json</c>.</param>
    public LightweightingReport Evaluate(string packageDirectory, string dataPath, string? schemaPath, bool measureCost)
    {
        var package = ModelPackage.Load(packageDirectory);
        schemaPath ??= Path.Combine(package.Directory, PackageWriter.SchemaFile);
        if (!File.Exists(schemaPath))
        {
            throw new ModelBuildException($"'{package.Directory}' has no {PackageWriter.SchemaFile}; pass --schema");
        }

        var test = DatasetReader.Read(dataPath, DatasetSchemaReader.Load(schemaPath)).Test();
        if (!test.Schema.Inputs.Select(c => c.Name).SequenceEqual(package.Manifest.Features.Select(f => f.Name)))
        {
            throw new ModelBuildException("the schema's inputs are not the package's features, in the same order");
        }

        _progress?.Report($"evaluating {package.Manifest.Variants.Count} variants of {package.Manifest.Id} {package.Manifest.Version} on {test.RowCount} test rows");
        var evaluator = new VariantEvaluator(test, package.Policy, measureCost ? new OrtCostMeter(_timeProvider) : null);
        var variants = package.Manifest.Variants
            .Select(v => evaluator.Evaluate(v.Name, v.File, v.Precision, package.PathOf(v), deployed: true))
            .ToArray();
        var fp32 = package.Manifest.Variants.FirstOrDefault(v => v.Name == "fp32") ?? package.Manifest.Variants[0];
        var int8 = package.Manifest.Variants.FirstOrDefault(v => v.Name == "int8") ?? package.Manifest.Variants[^1];
        return new LightweightingReport
        {
            Title = $"{package.Manifest.Id} {package.Manifest.Version} on {Path.GetFileName(dataPath)}",
            Variants = variants,
            Parity = ParityMeter.Compare(fp32.Name, package.PathOf(fp32), int8.Name, package.PathOf(int8), test, package.Policy, package.Attribution),
            Labels = Enumerable.Range(0, test.RowCount).Select(test.Label).ToArray(),
        };
    }
}
