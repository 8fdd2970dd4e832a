using System.Text.Json;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Scoring;

namespace CreditEdge.Inference;

/// <summary>
/// Replays a package's <c>golden.jsonl</c> through a model, one row per call as the device scores, and measures the
/// largest |expected − replayed| probability. The one golden replay the agent, <c>cedge</c> and the toolchain use.
/// </summary>
public static class GoldenReplay
{
    /// <summary>Reads every record of the package's golden file; throws <see cref="ModelPackageException"/> (check <c>golden</c>) naming a bad line.</summary>
    public static IReadOnlyList<GoldenLine> Read(ModelPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        var path = Path.Combine(package.Directory, package.Manifest.Golden);
        if (!File.Exists(path))
        {
            throw new ModelPackageException("golden", $"'{path}' is missing");
        }

        var lines = new List<GoldenLine>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                var record = JsonSerializer.Deserialize(line, PackageJson.Default.GoldenRecord)
                    ?? throw new ModelPackageException("golden", $"line {lineNumber} of golden.jsonl is empty");
                lines.Add(new GoldenLine(lineNumber, record));
            }
            catch (JsonException ex)
            {
                throw new ModelPackageException("golden", $"line {lineNumber} of golden.jsonl is not a golden record: {ex.Message}", ex);
            }
        }

        return lines;
    }

    /// <summary>
    /// Replays every record that has an expected value for <paramref name="variant"/> and returns the largest |Δ| and the
    /// first line beyond <see cref="ModelContract.GoldenTolerance"/> (never throws for a mismatch). An output that is no
    /// probability at all (NaN, ±∞, outside [0, 1]) is no mismatch but a broken model: <see cref="ModelPackageException"/>
    /// naming <see cref="ModelContract.OutputNotFiniteCheck"/> or <see cref="ModelContract.OutputOutOfRangeCheck"/>.
    /// </summary>
    public static GoldenReplayResult Run(IReadOnlyList<GoldenLine> lines, IProbabilityModel model, string variant)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(model);
        var replayed = 0;
        var maxDelta = 0.0;
        string? failure = null;
        Span<float> probability = stackalloc float[1];
        foreach (var (lineNumber, record) in lines)
        {
            if (!record.Expected.TryGetValue(variant, out var expected))
            {
                continue;
            }

            if (record.Input.Count != model.FeatureCount)
            {
                return new GoldenReplayResult(variant, replayed, maxDelta, $"variant '{variant}', golden line {lineNumber} has {record.Input.Count} inputs; the model takes {model.FeatureCount}");
            }

            model.Predict(record.Input.ToArray(), probability);
            ModelContract.CheckOutput(probability[0], variant, lineNumber);
            var delta = Math.Abs(probability[0] - expected);
            replayed++;
            if (!(delta <= ModelContract.GoldenTolerance))
            {
                failure ??= $"variant '{variant}', golden line {lineNumber}: expected probability {expected:R}, got {probability[0]:R} (|Δ| {delta:E2} > {ModelContract.GoldenTolerance:E0})";
                maxDelta = double.IsNaN(delta) ? double.PositiveInfinity : Math.Max(maxDelta, delta);
                continue;
            }

            maxDelta = Math.Max(maxDelta, delta);
        }

        if (replayed == 0)
        {
            failure = $"golden.jsonl has no expected values for variant '{variant}'";
        }

        return new GoldenReplayResult(variant, replayed, maxDelta, failure);
    }

    /// <summary>Replays and throws <see cref="ModelPackageException"/> (check <c>golden</c>) naming the first failing line; returns the records checked.</summary>
    public static int Verify(ModelPackage package, IProbabilityModel model, string variant)
    {
        var result = Run(Read(package), model, variant);
        return result.Passed ? result.Records : throw new ModelPackageException("golden", result.Failure);
    }
}
