using CreditEdge.Core.Drift;
using CreditEdge.Core.Packages;

namespace CreditEdge.Core.Tests.Drift;

public sealed class DriftMonitorTests
{
    // one feature "X" with bins (<10, 10..20, ≥20) holding 20/50/30 %; scores with bins (<500, ≥500) holding 40/60 %
    private static readonly ReferenceDistributions Reference = new()
    {
        Score = new Histogram([500], [0.4, 0.6]),
        Features = new Dictionary<string, Histogram> { ["X"] = new([10, 20], [0.2, 0.5, 0.3]) },
    };

    [Fact]
    public void Snapshot_DataDrawnExactlyFromReference_PsiIsZero()
    {
        var monitor = new DriftMonitor(["X", "Y"], Reference);
        Feed(monitor, x: 5, score: 450, times: 200);
        Feed(monitor, x: 15, score: 550, times: 500);
        Feed(monitor, x: 25, score: 450, times: 200);
        Feed(monitor, x: 25, score: 550, times: 100);

        var snapshot = monitor.Snapshot(reset: false);

        Assert.Equal(1000, snapshot.Observations);
        Assert.Equal(0, snapshot.FeaturePsi["X"], 12);
        Assert.Equal(0, snapshot.ScorePsi!.Value, 12);
        Assert.False(snapshot.FeaturePsi.ContainsKey("Y")); // no reference histogram, not tracked
    }

    [Fact]
    public void Snapshot_ShiftedData_PsiMatchesHandComputedValue()
    {
        var monitor = new DriftMonitor(["X"], Reference);
        Feed(monitor, x: 5, score: 450, times: 100);
        Feed(monitor, x: 25, score: 450, times: 900);

        var psi = monitor.Snapshot(reset: false).FeaturePsi["X"];

        // actual 0.1 / 0 (floored 1e-4) / 0.9 against 0.2 / 0.5 / 0.3:
        // (0.1−0.2)·ln(0.1/0.2) + (0.0001−0.5)·ln(0.0001/0.5) + (0.9−0.3)·ln(0.9/0.3)
        var expected = (-0.1 * Math.Log(0.5)) + ((0.0001 - 0.5) * Math.Log(0.0001 / 0.5)) + (0.6 * Math.Log(3));
        Assert.Equal(expected, psi, 9);
        Assert.True(psi > 0.25, "above 0.25 is the usual 'major shift' threshold");
    }

    [Fact]
    public void Snapshot_WithReset_StartsANewWindow()
    {
        var monitor = new DriftMonitor(["X"], Reference);
        Feed(monitor, x: 25, score: 450, times: 10);
        Assert.Equal(10, monitor.Snapshot(reset: true).Observations);

        var empty = monitor.Snapshot(reset: true);
        Assert.Equal(0, empty.Observations);
        Assert.Null(empty.ScorePsi);
        Assert.Equal(0, empty.FeaturePsi["X"]);
    }

    [Fact]
    public void Observe_ManyThreads_CountsEveryObservation()
    {
        var monitor = new DriftMonitor(["X"], Reference);
        Parallel.For(0, 8, _ => Feed(monitor, x: 15, score: 550, times: 10_000));
        Assert.Equal(80_000, monitor.Snapshot(reset: false).Observations);
    }

    [Theory]
    [InlineData(9.99, 0)]
    [InlineData(10, 1)]
    [InlineData(19.5, 1)]
    [InlineData(20, 2)]
    [InlineData(1e9, 2)]
    public void BinOf_ValueOnAndAroundEdges_LowerEdgeInclusive(double value, int bin) =>
        Assert.Equal(bin, Reference.Features["X"].BinOf(value));

    private static void Feed(DriftMonitor monitor, float x, double score, int times)
    {
        for (var i = 0; i < times; i++)
        {
            monitor.Observe([x, 0f], score);
        }
    }
}
