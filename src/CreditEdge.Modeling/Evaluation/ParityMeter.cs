using CreditEdge.Core.Policy;
using CreditEdge.Inference;
using CreditEdge.Modeling.Data;
using CreditEdge.Modeling.Onnx;

namespace CreditEdge.Modeling.Evaluation;

/// <summary>
/// fp32 ↔ int8 parity on the test split: probability differences, decisions that flip at each cutoff, and reason codes
/// computed exactly as the device does (<see cref="ReasonAttribution"/>: the applicant plus one reference-substituted
/// row per feature, scored in one batch, top 4 positive contributions).
/// </summary>
public static class ParityMeter
{
    public static ParityResult Compare(string referenceName, string referencePath, string candidateName, string candidatePath,
        Dataset test, ScorePolicy policy, ReasonAttribution attribution)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(attribution);
        using var reference = OnnxScorer.Load(referencePath);
        using var candidate = OnnxScorer.Load(candidatePath);
        var rows = test.RowCount;
        var batchRows = attribution.BatchRows;
        var width = test.FeatureCount;
        var batch = new float[batchRows * width];
        var reasonsA = new Reason[ReasonAttribution.MaxReasons];
        var reasonsB = new Reason[ReasonAttribution.MaxReasons];
        double maxDelta = 0, sumDelta = 0;
        int approveFlips = 0, declineFlips = 0, setChanged = 0, orderChanged = 0;
        for (var r = 0; r < rows; r++)
        {
            attribution.FillBatch(test.Row(r), batch);
            var a = reference.Score(batch, batchRows);
            var b = candidate.Score(batch, batchRows);
            var delta = Math.Abs(a[0] - (double)b[0]);
            maxDelta = Math.Max(maxDelta, delta);
            sumDelta += delta;
            int scoreA = policy.Score(a[0]), scoreB = policy.Score(b[0]);
            approveFlips += (scoreA >= policy.ApproveMinScore) != (scoreB >= policy.ApproveMinScore) ? 1 : 0;
            declineFlips += (scoreA < policy.DeclineBelowScore) != (scoreB < policy.DeclineBelowScore) ? 1 : 0;
            var countA = attribution.Select(a, reasonsA);
            var countB = attribution.Select(b, reasonsB);
            var codesA = reasonsA.Take(countA).Select(x => x.Code).ToArray();
            var codesB = reasonsB.Take(countB).Select(x => x.Code).ToArray();
            orderChanged += codesA.SequenceEqual(codesB) ? 0 : 1;
            setChanged += codesA.Order(StringComparer.Ordinal).SequenceEqual(codesB.Order(StringComparer.Ordinal)) ? 0 : 1;
        }

        return new ParityResult(referenceName, candidateName, maxDelta, sumDelta / rows, approveFlips / (double)rows,
            declineFlips / (double)rows, setChanged / (double)rows, orderChanged / (double)rows);
    }
}
