using CreditEdge.Core.Rollout;

namespace CreditEdge.Core.Tests.Rollout;

public sealed class ReservoirTests
{
    [Fact]
    public void Add_FewerThanCapacity_KeepsEveryItemInOrder()
    {
        var reservoir = new Reservoir<long>(capacity: 10, seed: 1);
        foreach (var item in new long[] { 5, 3, 9 })
        {
            reservoir.Add(item);
        }

        Assert.Equal([5, 3, 9], reservoir.ToArray());
    }

    [Fact]
    public void Add_MillionItems_KeepsCapacityDrawnFromTheWholeStream()
    {
        var reservoir = new Reservoir<long>(capacity: 10_000, seed: 1);
        for (long i = 1; i <= 1_000_000; i++)
        {
            reservoir.Add(i);
        }

        var sample = reservoir.ToArray();

        Assert.Equal(10_000, reservoir.Count);
        Assert.Equal(10_000, sample.Distinct().Count());
        // a uniform sample of 1…1,000,000: median near 500,000 (its standard error is about 5,000), items from both ends;
        // keeping only the first or the last 10,000 would put the median near 5,000 or 995,000
        Assert.InRange(Median.Of(sample), 480_000, 520_000);
        Assert.True(sample.Min() < 10_000 && sample.Max() > 990_000, $"{sample.Min()} … {sample.Max()}");
    }

    [Theory]
    [InlineData(new long[] { }, 0)]
    [InlineData(new long[] { 7 }, 7)]
    [InlineData(new long[] { 100, 1, 3, 2, 4 }, 3)] // sorted 1 2 3 4 100
    [InlineData(new long[] { 100, 1, 4, 2 }, 3)] // sorted 1 2 4 100 → (2 + 4) / 2
    [InlineData(new long[] { 1, 2 }, 1.5)]
    public void MedianOf_Values_MiddleOrMeanOfTwoMiddle(long[] values, double expected) =>
        Assert.Equal(expected, Median.Of(values));
}
