using CreditEdge.Modeling.Evaluation;

namespace CreditEdge.Modeling.Tests.Evaluation;

public sealed class CalibrationCurveTests
{
    [Fact]
    public void Bins_ValuesOnAndNearBinEdges_EachEdgeOpensItsBinAndOneClosesTheLast()
    {
        // 10 equal-width bins [i/10, (i+1)/10); bin = ⌊10·p⌋ (not rounded: 0.16 stays in bin 1), clamped to 0…9, so
        // p = 1.0 joins bin 9. Just below an edge (0.099) stays in the bin before it.
        //   bin 0: 0.0 → 0, 0.099 → 1          rows 2, mean p 0.0495, bad rate ½
        //   bin 1: 0.1 → 0, 0.1 → 1, 0.16 → 1  rows 3, mean p 0.12,   bad rate 2/3
        //   bin 3: 0.3 → 1;  bin 5: 0.5 → 1, 0.5 → 1;  bin 7: 0.7 → 0
        //   bin 9: 0.99 → 1, 1.0 → 1           rows 2, mean p 0.995,  bad rate 1
        double[] p = [0.0, 0.099, 0.1, 0.1, 0.16, 0.3, 0.5, 0.5, 0.7, 0.99, 1.0];
        int[] y = [0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1];

        var bins = CalibrationCurve.Bins(p, y);

        Assert.Equal([2, 3, 0, 1, 0, 2, 0, 1, 0, 2], bins.Select(b => b.Rows));
        AssertBin((2, 0.0495, 0.5), bins[0]);
        AssertBin((3, 0.12, 2.0 / 3), bins[1]);
        AssertBin((1, 0.3, 1.0), bins[3]);
        AssertBin((1, 0.7, 0.0), bins[7]);
        AssertBin((2, 0.995, 1.0), bins[9]);
        AssertBin((0, 0.0, 0.0), bins[2]); // an empty bin
    }

    [Fact]
    public void ExpectedCalibrationError_ValuesOnBinEdges_RowWeightedMeanGap()
    {
        // bin 0: {0.0 → 0}            mean p 0.0, bad rate 0   gap 0
        // bin 1: {0.1 → 0, 0.1 → 1}   mean p 0.1, bad rate ½   gap 0.4
        // bin 5: {0.5 → 1, 0.5 → 1}   mean p 0.5, bad rate 1   gap 0.5
        // bin 9: {1.0 → 1}            mean p 1.0, bad rate 1   gap 0
        // ECE = (1·0 + 2·0.4 + 2·0.5 + 1·0) / 6 = 1.8 / 6 = 0.3
        double[] p = [0.0, 0.1, 0.1, 0.5, 0.5, 1.0];
        int[] y = [0, 0, 1, 1, 1, 1];

        Assert.Equal(0.3, CalibrationCurve.ExpectedCalibrationError(p, y), 1e-15);
    }

    [Fact]
    public void ExpectedCalibrationError_OneBin_HidesGapsThatTenBinsShow()
    {
        // p 0.1, 0.1 (both bad) and 0.9, 0.9 (both good)
        // 10 bins: bin 1 mean p 0.1, bad rate 1, gap 0.9; bin 9 mean p 0.9, bad rate 0, gap 0.9 → ECE = (2·0.9 + 2·0.9) / 4 = 0.9
        // 1 bin [0, 1]: mean p 0.5, bad rate ½ → ECE = 0
        double[] p = [0.1, 0.1, 0.9, 0.9];
        int[] y = [1, 1, 0, 0];

        Assert.Equal(0.9, CalibrationCurve.ExpectedCalibrationError(p, y), 1e-15);
        Assert.Equal(0.0, CalibrationCurve.ExpectedCalibrationError(p, y, bins: 1), 1e-15);
    }

    [Fact]
    public void ExpectedCalibrationError_PerfectlyCalibratedBins_Zero()
    {
        // bin 2 holds four 0.25s with one bad in four; bin 7 four 0.75s with three bads
        double[] p = [0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75];
        int[] y = [1, 0, 0, 0, 1, 1, 1, 0];

        Assert.Equal(0.0, CalibrationCurve.ExpectedCalibrationError(p, y), 1e-15);
    }

    private static void AssertBin((int Rows, double Predicted, double Observed) expected, (int Rows, double Predicted, double Observed) actual)
    {
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.Predicted, actual.Predicted, 1e-12);
        Assert.Equal(expected.Observed, actual.Observed, 1e-12);
    }
}
