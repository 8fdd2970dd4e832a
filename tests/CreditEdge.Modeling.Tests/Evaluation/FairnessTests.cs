using CreditEdge.Core.Policy;
using CreditEdge.Modeling.Evaluation;
using CreditEdge.TestKit;

namespace CreditEdge.Modeling.Tests.Evaluation;

/// <summary>Approval rate and adverse impact ratio per protected group, as <see cref="VariantEvaluator"/> reports them.</summary>
public sealed class FairnessTests : IDisposable
{
    // points = 600 + (20 / ln 2) · ln((1 − p) / p) = 600 − 28.854 · z for p = σ(z); approve at ≥ 600, decline below 580
    private static readonly ScorePolicy Policy = new() { Pdo = 20, BaseScore = 600, BaseOdds = 1, ApproveMinScore = 600, DeclineBelowScore = 580 };

    private readonly TempDirectory _dir = new("fairness");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Evaluate_ThreeGroups_ApprovalRatePerGroupAndRatioToTheMostApproved()
    {
        // z = −1 + 0.8 · X1:  X1 = 0 → z −1.0 → 628.9 → 629 approve
        //                     X1 = 2 → z  0.6 → 582.7 → 583 refer (not an approval)
        //                     X1 = 4 → z  2.2 → 536.5 → 537 decline
        // A: 0, 0, 0, 2 → 3 of 4 approved = 0.75 (the most approved group)  AIR 0.75 / 0.75 = 1
        // B: 0, 4       → 1 of 2          = 0.5                             AIR 0.5 / 0.75  = 2/3
        // C: 2, 4, 4    → 0 of 3          = 0                               AIR 0
        string[] groups = ["A", "B", "C", "A", "C", "A", "B", "A", "C"];
        float[] x1 = [0, 0, 2, 0, 4, 2, 4, 0, 4];

        var fairness = Evaluate(groups, x1);

        Assert.Equal(["A", "B", "C"], fairness.Select(f => f.Group));
        Assert.All(fairness, f => Assert.Equal("GROUP", f.Attribute));
        Assert.Equal([4, 2, 3], fairness.Select(f => f.Rows));
        Assert.Equal(0.75, fairness[0].ApprovalRate, 1e-15);
        Assert.Equal(0.5, fairness[1].ApprovalRate, 1e-15);
        Assert.Equal(0.0, fairness[2].ApprovalRate, 1e-15);
        Assert.Equal(1.0, fairness[0].AdverseImpactRatio, 1e-15);
        Assert.Equal(2.0 / 3, fairness[1].AdverseImpactRatio, 1e-15);
        Assert.Equal(0.0, fairness[2].AdverseImpactRatio, 1e-15);
    }

    [Fact]
    public void Evaluate_NoGroupApproved_RatioUndefined()
    {
        // every applicant declined (X1 = 4): no most-approved rate to divide by, so the ratio is NaN, not 0 or 1
        var fairness = Evaluate(["A", "B", "A"], [4, 4, 4]);

        Assert.All(fairness, f => Assert.Equal(0.0, f.ApprovalRate));
        Assert.All(fairness, f => Assert.True(double.IsNaN(f.AdverseImpactRatio)));
    }

    private List<GroupFairness> Evaluate(string[] groups, float[] x1)
    {
        var schema = LogisticModel.Schema(inputs: 1);
        var test = LogisticModel.Rows(schema, [.. x1.Select(x => new[] { x })], [.. x1.Select((_, i) => i % 2)], groups);
        var model = LogisticModel.Write(_dir.Combine("model.onnx"), [0.8f], -1f);
        var evaluation = new VariantEvaluator(test, Policy, costMeter: null).Evaluate("fp32", "test", "fp32", model, deployed: true);
        return [.. evaluation.Fairness];
    }
}
