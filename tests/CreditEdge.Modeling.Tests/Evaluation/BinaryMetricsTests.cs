using CreditEdge.Modeling.Evaluation;

namespace CreditEdge.Modeling.Tests.Evaluation;

public sealed class BinaryMetricsTests
{
    private const double Exact = 1e-12;

    [Fact]
    public void Auc_TiedScoresAcrossClasses_TiesCountHalf()
    {
        // bads score 0.4, 0.8, 0.2; goods 0.1, 0.4, 0.4. Of the 3 × 3 (bad, good) pairs:
        //   bad 0.8 is above all three goods            → 3
        //   bad 0.4 is above 0.1 and ties both 0.4s      → 1 + ½ + ½ = 2
        //   bad 0.2 is above 0.1 only                    → 1
        // AUC = 6 / 9 = 2/3 (with ties counted as wins it would be 8/9, as losses 5/9)
        double[] p = [0.1, 0.4, 0.4, 0.8, 0.4, 0.2];
        int[] y = [0, 1, 0, 1, 0, 1];

        Assert.Equal(2.0 / 3, BinaryMetrics.Auc(p, y), Exact);
    }

    [Fact]
    public void Auc_EveryScoreEqual_IsOneHalf()
    {
        // 2 bads × 2 goods, every pair tied: 4 × ½ / 4
        Assert.Equal(0.5, BinaryMetrics.Auc([0.3, 0.3, 0.3, 0.3], [1, 0, 1, 0]), Exact);
    }

    [Fact]
    public void Auc_PerfectAndReversedRanking_OneAndZero()
    {
        Assert.Equal(1.0, BinaryMetrics.Auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), Exact);
        Assert.Equal(0.0, BinaryMetrics.Auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), Exact);
    }

    [Fact]
    public void Auc_AllLabelsEqual_IsNaN()
    {
        // no (bad, good) pair exists: the code defines AUC (and KS) as undefined rather than 0, ½ or 1
        Assert.True(double.IsNaN(BinaryMetrics.Auc([0.2, 0.7, 0.4], [0, 0, 0])));
        Assert.True(double.IsNaN(BinaryMetrics.Auc([0.2, 0.7, 0.4], [1, 1, 1])));
    }

    [Fact]
    public void Ks_DistinctScores_LargestGapBetweenCumulativeBadAndGoodShares()
    {
        // ascending:   0.1 g  0.2 g  0.3 b  0.6 g  0.7 b  0.9 b   (3 bads, 3 goods)
        // bads  ≤ t:    0      0     1/3    1/3    2/3    1
        // goods ≤ t:   1/3    2/3    2/3     1      1     1
        // |gap|:       1/3    2/3    1/3    2/3    1/3    0      → KS = 2/3
        double[] p = [0.3, 0.1, 0.9, 0.6, 0.2, 0.7];
        int[] y = [1, 0, 1, 0, 0, 1];

        Assert.Equal(2.0 / 3, BinaryMetrics.Ks(p, y), Exact);
    }

    [Fact]
    public void Ks_TiedScores_MeasuredOnlyAfterTheWholeTie()
    {
        // one tie of 2 bads and 2 goods: after it both shares are 1, so KS = 0. Measuring inside the tie (bad first)
        // would report ½ — a figure that depends on the order of equal scores.
        Assert.Equal(0.0, BinaryMetrics.Ks([0.3, 0.3, 0.3, 0.3], [1, 0, 1, 0]), Exact);

        // 0.1 g | 0.4 b g g | 0.8 b ... with bad 0.2: ascending 0.1 g, 0.2 b, {0.4 b, g, g}, 0.8 b
        // bads ≤ t: 0, 1/3, 2/3, 1; goods ≤ t: 1/3, 1/3, 1, 1; gaps 1/3, 0, 1/3, 0 → KS = 1/3
        // (inside the tie, after 0.4 b alone: |2/3 − 1/3| = 1/3 too; after b,g: 0 — the tie does not change this one)
        Assert.Equal(1.0 / 3, BinaryMetrics.Ks([0.1, 0.4, 0.4, 0.8, 0.4, 0.2], [0, 1, 0, 1, 0, 1]), Exact);
    }

    [Fact]
    public void Evaluate_TinySet_EveryFigureAsWorkedOutByHand()
    {
        double[] p = [0.3, 0.1, 0.9, 0.6, 0.2, 0.7];
        int[] y = [1, 0, 1, 0, 0, 1];

        var result = BinaryMetrics.Evaluate(p, y);

        // AUC: bad 0.3 beats goods 0.1, 0.2 (2); bad 0.7 beats 0.1, 0.2, 0.6 (3); bad 0.9 beats all 3 → 8/9
        Assert.Equal(6, result.Rows);
        Assert.Equal(0.5, result.BadRate, Exact);
        Assert.Equal(8.0 / 9, result.Auc, Exact);
        // Gini = 2 · 8/9 − 1 = 7/9
        Assert.Equal(7.0 / 9, result.Gini, Exact);
        Assert.Equal(2.0 / 3, result.Ks, Exact);
        // Brier = mean (p − y)²: (0.49 + 0.01 + 0.01 + 0.36 + 0.04 + 0.09) / 6 = 1.00 / 6
        Assert.Equal(1.0 / 6, result.Brier, 1e-15);
    }

    [Fact]
    public void Evaluate_Ties_GiniIsTwiceAucMinusOne()
    {
        // AUC 2/3 (see Auc_TiedScoresAcrossClasses_TiesCountHalf) → Gini 1/3;
        // Brier: (0.01 + 0.36 + 0.16 + 0.04 + 0.16 + 0.64) / 6 = 1.37 / 6
        var result = BinaryMetrics.Evaluate([0.1, 0.4, 0.4, 0.8, 0.4, 0.2], [0, 1, 0, 1, 0, 1]);

        Assert.Equal(2.0 / 3, result.Auc, Exact);
        Assert.Equal(1.0 / 3, result.Gini, Exact);
        Assert.Equal(1.0 / 3, result.Ks, Exact);
        Assert.Equal(1.37 / 6, result.Brier, 1e-15);
    }

    [Fact]
    public void Evaluate_AllLabelsEqual_RankFiguresNaNBrierStillDefined()
    {
        // Brier = (0.2² + 0.7²) / 2 = (0.04 + 0.49) / 2 = 0.265
        var result = BinaryMetrics.Evaluate([0.2, 0.7], [0, 0]);

        Assert.Equal(0.0, result.BadRate);
        Assert.True(double.IsNaN(result.Auc));
        Assert.True(double.IsNaN(result.Gini));
        Assert.True(double.IsNaN(result.Ks));
        Assert.Equal(0.265, result.Brier, 1e-15);
    }

    [Fact]
    public void Evaluate_LengthsDifferOrNoRows_Refused()
    {
        Assert.Throws<ArgumentException>(() => BinaryMetrics.Evaluate([0.1, 0.2], [0]));
        Assert.Throws<ArgumentException>(() => BinaryMetrics.Evaluate([], []));
    }
}
