using System.Text.Json;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Scoring;

namespace CreditEdge.Inference;

/// <summary>Replays a package's <c>golden.jsonl</c> through a model and refuses the model if any probability differs.</summary>
public static class GoldenCheck
{
    /// <summary>Largest accepted |expected − actual| probability.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>Checks every golden record that has an expected value for <paramref name="variant"/>; returns how many were checked.</summary>
    public static int Verify(ModelPackage package, IProbabilityModel model, string variant)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(model);
        var path = Path.Combine(package.Directory, package.Manifest.Golden);
        if (!File.Exists(path))
        {
            throw new ModelPackageException("golden", $"'{path}' is missing");
        }

        var checkedCount = 0;
        var lineNumber = 0;
        Span<float> probability = stackalloc float[1];
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            GoldenRecord record;
            try
            {
                record = JsonSerializer.Deserialize(line, PackageJson.Default.GoldenRecord)
                    ?? throw new ModelPackageException("golden", $"line {lineNumber} is empty");
            }
            catch (JsonException ex)
            {
                throw new ModelPackageException("golden", $"line {lineNumber} of golden.jsonl is not a golden record: {ex.Message}", ex);
            }

            if (!record.Expected.TryGetValue(variant, out var expected))
            {
                continue;
            }

            if (record.Input.Count != model.FeatureCount)
            {
                throw new ModelPackageException("golden", $"line {lineNumber} has {record.Input.Count} inputs; the model takes {model.FeatureCount}");
            }

            model.Predict(record.Input.ToArray(), probability);
            var delta = Math.Abs(probability[0] - expected);
            if (!(delta <= Tolerance))
            {
                throw new ModelPackageException("golden", $"variant '{variant}', golden line {lineNumber}: expected probability {expected:R}, got {probability[0]:R} (|Δ| {delta:E2} > {Tolerance:E0})");
            }

            checkedCount++;
        }

        if (checkedCount == 0)
        {
            throw new ModelPackageException("golden", $"golden.jsonl has no expected values for variant '{variant}'");
        }

        return checkedCount;
    }
}
