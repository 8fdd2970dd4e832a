using System.Globalization;
using CreditEdge.Core.Packages;

namespace CreditEdge.Inference;

/// <summary>
/// Picks the variant a device runs. <c>auto</c>: every variant is opened and replays golden on this CPU; a variant that
/// misses is skipped (never run); the ones that pass are timed against each other in a short, bounded measurement
/// (interleaved rounds of one decision's model call: the applicant plus one reason row per feature) and the fastest
/// runs — a quantized one whenever it is within <see cref="NotSlowerMargin"/> of the fastest. A named variant is opened
/// and must replay golden, or the package is refused.
/// </summary>
public static class VariantSelection
{
    /// <summary>Mode name for <c>Models:Variant</c> that measures.</summary>
    public const string Auto = "auto";

    /// <summary>A quantized variant this much slower than the fastest still counts as "not slower" (measurement noise).</summary>
    public const double NotSlowerMargin = 0.05;

    private const int WarmUpCalls = 30;
    private const int Rounds = 9;
    private const int CallsPerRound = 15;

    /// <summary>Opens the chosen variant; throws <see cref="ModelPackageException"/> when none can run.</summary>
    public static (OnnxScorer Scorer, ModelVariant Variant, VariantChoice Choice, int GoldenRecords) Choose(
        ModelPackage package, string? variantName, OnnxScorerOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(package);
        var golden = GoldenReplay.Read(package);
        if (variantName is not null && !string.Equals(variantName, Auto, StringComparison.OrdinalIgnoreCase))
        {
            var variant = package.Variant(variantName);
            var (scorer, result) = Open(package, variant, golden, options);
            if (!result.Passed)
            {
                scorer.Dispose();
                throw new ModelPackageException("golden", result.Failure);
            }

            var trial = Trial(variant, result, microseconds: null);
            var choice = new VariantChoice { Mode = "configured", Variant = variant.Name, Cpu = CpuKernelPath.Describe(), Reason = $"Models:Variant names '{variant.Name}'", Trials = [trial] };
            return (scorer, variant, choice, result.Records);
        }

        var opened = new List<(ModelVariant Variant, OnnxScorer Scorer, GoldenReplayResult Golden)>();
        var trials = new Dictionary<string, VariantTrial>(StringComparer.Ordinal);
        try
        {
            foreach (var variant in package.Manifest.Variants)
            {
                OnnxScorer scorer;
                GoldenReplayResult result;
                try
                {
                    (scorer, result) = Open(package, variant, golden, options);
                }
                catch (ModelPackageException ex) when (!ModelContract.IsOutputContractCheck(ex.Check))
                {
                    trials[variant.Name] = Trial(variant, new GoldenReplayResult(variant.Name, 0, double.NaN, $"{ex.Check}: {ex.Message}"), microseconds: null);
                    continue;
                }

                if (result.Passed)
                {
                    opened.Add((variant, scorer, result));
                }
                else
                {
                    scorer.Dispose();
                    trials[variant.Name] = Trial(variant, result, microseconds: null);
                }
            }

            if (opened.Count == 0)
            {
                throw new ModelPackageException("golden", $"no variant reproduces golden.jsonl on this CPU: {string.Join("; ", trials.Values.Select(t => t.Failure))}");
            }

            var timings = Measure(opened.Select(o => o.Scorer).ToArray(), golden, timeProvider);
            for (var i = 0; i < opened.Count; i++)
            {
                trials[opened[i].Variant.Name] = Trial(opened[i].Variant, opened[i].Golden, timings[i]);
            }

            var fastest = timings.Min();
            var chosenIndex = Enumerable.Range(0, opened.Count)
                .OrderBy(i => string.Equals(opened[i].Variant.Precision, "int8", StringComparison.Ordinal) && timings[i] <= fastest * (1 + NotSlowerMargin) ? 0 : 1)
                .ThenBy(i => timings[i])
                .First();
            var chosen = opened[chosenIndex];
            var ordered = package.Manifest.Variants.Select(v => trials[v.Name]).ToArray();
            var choice = new VariantChoice
            {
                Mode = Auto,
                Variant = chosen.Variant.Name,
                Cpu = CpuKernelPath.Describe(),
                Reason = Reason(chosen.Variant, ordered),
                Trials = ordered,
            };
            foreach (var other in opened.Where(o => o.Scorer != chosen.Scorer))
            {
                other.Scorer.Dispose();
            }

            return (chosen.Scorer, chosen.Variant, choice, chosen.Golden.Records);
        }
        catch
        {
            foreach (var o in opened)
            {
                o.Scorer.Dispose();
            }

            throw;
        }
    }

    /// <summary>Opens a variant and replays golden; throws <see cref="ModelPackageException"/> when ORT cannot open it or its shape is wrong.</summary>
    private static (OnnxScorer Scorer, GoldenReplayResult Result) Open(ModelPackage package, ModelVariant variant, IReadOnlyList<GoldenLine> golden, OnnxScorerOptions options)
    {
        var scorer = OnnxScorer.Load(package.PathOf(variant), options);
        if (scorer.FeatureCount != package.Schema.Count)
        {
            scorer.Dispose();
            throw new ModelPackageException("input-shape", $"'{variant.File}' takes {scorer.FeatureCount} features; the manifest lists {package.Schema.Count}");
        }

        try
        {
            return (scorer, GoldenReplay.Run(golden, scorer, variant.Name));
        }
        catch
        {
            scorer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Median µs per decision-shaped call for each scorer, measured in interleaved rounds so a busy moment hits all of
    /// them alike. Bounded: <see cref="WarmUpCalls"/> + <see cref="Rounds"/> × <see cref="CallsPerRound"/> calls each.
    /// </summary>
    private static double[] Measure(OnnxScorer[] scorers, IReadOnlyList<GoldenLine> golden, TimeProvider timeProvider)
    {
        var width = scorers[0].FeatureCount;
        var rows = width + 1;
        var batch = new float[rows * width];
        for (var r = 0; r < rows; r++)
        {
            var input = golden[r % golden.Count].Record.Input;
            for (var c = 0; c < width; c++)
            {
                batch[(r * width) + c] = input[c];
            }
        }

        var output = new float[rows];
        foreach (var scorer in scorers)
        {
            for (var i = 0; i < WarmUpCalls; i++)
            {
                scorer.Predict(batch, output);
            }
        }

        var samples = scorers.Select(_ => new double[Rounds]).ToArray();
        for (var round = 0; round < Rounds; round++)
        {
            for (var s = 0; s < scorers.Length; s++)
            {
                var started = timeProvider.GetTimestamp();
                for (var i = 0; i < CallsPerRound; i++)
                {
                    scorers[s].Predict(batch, output);
                }

                samples[s][round] = timeProvider.GetElapsedTime(started).TotalMicroseconds / CallsPerRound;
            }
        }

        return samples.Select(s => Math.Round(s.Order().ElementAt(Rounds / 2), 2)).ToArray();
    }

    private static VariantTrial Trial(ModelVariant variant, GoldenReplayResult result, double? microseconds) => new()
    {
        Name = variant.Name,
        Precision = variant.Precision,
        GoldenRecords = result.Records,
        MaxDelta = result.MaxDelta,
        Failure = result.Failure,
        MicrosecondsPerDecision = microseconds,
    };

    private static string Reason(ModelVariant chosen, IReadOnlyList<VariantTrial> trials)
    {
        var c = CultureInfo.InvariantCulture;
        var measured = string.Join(", ", trials.Where(t => t.Passed).Select(t => string.Create(c, $"{t.Name} {t.MicrosecondsPerDecision:F1} µs")));
        var skipped = trials.Where(t => !t.Passed).Select(t => $"{t.Name} skipped (golden: {t.Failure})").ToArray();
        var rule = string.Equals(chosen.Precision, "int8", StringComparison.Ordinal)
            ? "quantized and not slower than the fastest"
            : "fastest variant that reproduced golden";
        return $"{rule}: {measured}" + (skipped.Length > 0 ? "; " + string.Join("; ", skipped) : string.Empty);
    }
}
