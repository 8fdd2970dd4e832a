using CreditEdge.Core.Policy;
using CreditEdge.Modeling.Evaluation;
using CreditEdge.TestKit;

namespace CreditEdge.Modeling.Tests.Evaluation;

public sealed class ParityMeterTests : IDisposable
{
    // points = 600 − 28.854 · z for p = σ(z): approve at ≥ 600 (z ≤ 0.017), decline below 580 (z > 0.710)
    private static readonly ScorePolicy Policy = new() { Pdo = 20, BaseScore = 600, BaseOdds = 1, ApproveMinScore = 600, DeclineBelowScore = 580 };

    // reference A and candidate B: z = −1 + w · x. Every reference value is 0, so feature i contributes σ(z) − σ(z − wᵢxᵢ):
    // positive when wᵢxᵢ > 0, and the larger wᵢxᵢ, the larger — the top-4 reasons are the features by wᵢxᵢ, largest first.
    private static readonly float[] WeightsA = [0.8f, 0.4f, 0.2f, 0.1f, 0.05f];
    private static readonly float[] WeightsB = [0.8f, 0.4f, 0.1f, 0.2f, 0.15f];

    private readonly TempDirectory _dir = new("parity");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Compare_SevenApplicants_FlipsAndReasonChangesCountedAsWorkedOutByHand()
    {
        float[][] rows =
        [
            [0, 0, 0, 0, 0],  // zA −1.0 629 approve   zB −1.0 629 approve   reasons none / none
            [1, 1, 1, 1, 0],  // zA  0.5 586 refer     zB  0.5 586 refer     X1 X2 X3 X4 / X1 X2 X4 X3: order changed, same set
            [1, 1, 1, 1, 1],  // zA 0.55 584 refer     zB 0.65 581 refer     X1 X2 X3 X4 / X1 X2 X4 X5: set (and order) changed
            [0, 0, 0, 0, 8],  // zA −0.6 617 approve   zB  0.2 594 refer     X5 / X5: approve flip
            [0, 0, 0, 9, 0],  // zA −0.1 603 approve   zB  0.8 577 decline   X4 / X4: approve flip and decline flip
            [0, 0, 0, 14, 0], // zA  0.4 588 refer     zB  1.8 548 decline   X4 / X4: decline flip
            [0, 0, 0, 0, 10], // zA −0.5 614 approve   zB  0.5 586 refer     X5 / X5: approve flip
        ];
        double[] zA = [-1, 0.5, 0.55, -0.6, -0.1, 0.4, -0.5];
        double[] zB = [-1, 0.5, 0.65, 0.2, 0.8, 1.8, 0.5];
        var deltas = zA.Select((z, i) => Math.Abs(LogisticModel.Sigmoid(z) - LogisticModel.Sigmoid(zB[i]))).ToArray();

        var result = Compare(rows);

        Assert.Equal("fp32", result.Reference);
        Assert.Equal("int8", result.Candidate);
        Assert.Equal(3.0 / 7, result.ApproveFlips, 1e-15);
        Assert.Equal(2.0 / 7, result.DeclineFlips, 1e-15);
        Assert.Equal(1.0 / 7, result.ReasonSetChanged, 1e-15);
        Assert.Equal(2.0 / 7, result.ReasonOrderChanged, 1e-15);
        Assert.Equal(deltas.Max(), result.MaxAbsDelta, 1e-6); // row 6: σ(1.8) − σ(0.4) = 0.2595 (ORT works in float32)
        Assert.Equal(deltas.Average(), result.MeanAbsDelta, 1e-6);
    }

    [Fact]
    public void Compare_SameModelTwice_NothingChanges()
    {
        float[][] rows = [[1, 1, 1, 1, 1], [0, 0, 0, 9, 0], [0, 0, 0, 14, 0]];
        var path = LogisticModel.Write(_dir.Combine("a.onnx"), WeightsA, -1f);
        var test = LogisticModel.Rows(LogisticModel.Schema(5), rows, [0, 1, 0], ["", "", ""]);

        var result = ParityMeter.Compare("fp32", path, "int8", path, test, Policy, Attribution());

        Assert.Equal(new ParityResult("fp32", "int8", 0, 0, 0, 0, 0, 0), result);
    }

    private ParityResult Compare(float[][] rows)
    {
        var test = LogisticModel.Rows(LogisticModel.Schema(5), rows, [.. rows.Select((_, i) => i % 2)], [.. rows.Select(_ => "")]);
        var a = LogisticModel.Write(_dir.Combine("a.onnx"), WeightsA, -1f);
        var b = LogisticModel.Write(_dir.Combine("b.onnx"), WeightsB, -1f);
        return ParityMeter.Compare("fp32", a, "int8", b, test, Policy, Attribution());
    }

    private static ReasonAttribution Attribution()
    {
        string[] features = ["X1", "X2", "X3", "X4", "X5"];
        return new ReasonAttribution(features, [.. features.Select((f, i) => new ReasonCode { Code = $"R{i + 1}", Feature = f, Text = f, Reference = 0 })]);
    }
}
