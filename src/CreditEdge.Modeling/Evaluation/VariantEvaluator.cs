using System.IO.Compression;
using CreditEdge.Core.Policy;
using CreditEdge.Inference;
using CreditEdge.Modeling.Data;
using CreditEdge.Modeling.Onnx;

namespace CreditEdge.Modeling.Evaluation;

/// <summary>Scores the test split with a model file in ONNX Runtime and measures accuracy, calibration, size, cost and fairness.</summary>
public sealed class VariantEvaluator
{
    private readonly Dataset _test;
    private readonly ScorePolicy _policy;
    private readonly OrtCostMeter? _costMeter;
    private readonly int[] _labels;

    /// <param name="costMeter">Null skips latency, throughput and memory (tests).</param>
    public VariantEvaluator(Dataset test, ScorePolicy policy, OrtCostMeter? costMeter)
    {
        _test = test;
        _policy = policy;
        _costMeter = costMeter;
        _labels = Enumerable.Range(0, test.RowCount).Select(test.Label).ToArray();
    }

    public VariantEvaluation Evaluate(string name, string description, string precision, string modelPath, bool deployed, double sparsity = 0)
    {
        float[] scores;
        using (var scorer = OnnxScorer.Load(modelPath))
        {
            scores = scorer.Score(_test.Features, _test.RowCount);
        }

        var probabilities = scores.Select(p => (double)p).ToArray();
        return new VariantEvaluation
        {
            Name = name,
            Description = description,
            Precision = precision,
            Deployed = deployed,
            Test = BinaryMetrics.Evaluate(probabilities, _labels),
            Ece = CalibrationCurve.ExpectedCalibrationError(probabilities, _labels),
            SizeBytes = new FileInfo(modelPath).Length,
            GzipBytes = GzipSize(modelPath),
            Sparsity = sparsity,
            Cost = _costMeter?.Measure(modelPath, _test.Features, _test.RowCount),
            Fairness = Fairness(probabilities),
            Probabilities = probabilities,
        };
    }

    /// <summary>Bytes of the file gzip-compressed at the optimal level.</summary>
    public static long GzipSize(string path)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            using var input = File.OpenRead(path);
            input.CopyTo(gzip);
        }

        return output.Length;
    }

    private List<GroupFairness> Fairness(double[] probabilities)
    {
        var result = new List<GroupFairness>();
        var approved = probabilities.Select(p => _policy.Decide(_policy.Score(p)) == Outcome.Approve).ToArray();
        var attributes = _test.Schema.Protected;
        for (var a = 0; a < attributes.Count; a++)
        {
            var groups = Enumerable.Range(0, _test.RowCount)
                .GroupBy(r => _test.ProtectedValue(a, r), StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (Group: g.Key, Rows: g.Count(), Rate: g.Average(r => approved[r] ? 1.0 : 0.0)))
                .ToArray();
            var best = groups.Max(g => g.Rate);
            result.AddRange(groups.Select(g => new GroupFairness(attributes[a].Name, g.Group, g.Rows, g.Rate, best > 0 ? g.Rate / best : double.NaN)));
        }

        return result;
    }
}
