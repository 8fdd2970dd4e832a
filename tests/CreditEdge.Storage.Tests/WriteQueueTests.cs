using System.Diagnostics;

namespace CreditEdge.Storage.Tests;

public sealed class WriteQueueTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public void TryTake_ItemsWaiting_TakesAtMostABatchInOrderWithoutWaiting()
    {
        var queue = new WriteQueue<int>();
        for (var i = 1; i <= 5; i++)
        {
            queue.Add(i);
        }

        var batch = new List<int>();
        Assert.True(queue.TryTake(batch, 3, Long));
        Assert.Equal([1, 2, 3], batch);

        batch.Clear();
        Assert.True(queue.TryTake(batch, 3, Long));
        Assert.Equal([4, 5], batch);
    }

    [Fact]
    public void TryTake_NothingComes_FalseAfterTheTimeout()
    {
        var queue = new WriteQueue<int>();
        var batch = new List<int>();

        Assert.False(queue.TryTake(batch, 10, TimeSpan.FromMilliseconds(50)));
        Assert.Empty(batch);
    }

    [Fact]
    public async Task TryTake_AnItemAddedWhileItWaits_WakesItLongBeforeItsTimeout()
    {
        var queue = new WriteQueue<int>();
        var batch = new List<int>();
        var clock = Stopwatch.StartNew();
        var taker = await WaitingTakerAsync(queue, batch);

        queue.Add(7);

        Assert.True(await taker.WaitAsync(Long));
        Assert.Equal([7], batch);
        Assert.True(clock.Elapsed < Long / 2, $"woken by the add, not by its {Long.TotalSeconds} s timeout ({clock.Elapsed.TotalSeconds:F1} s)");
    }

    [Fact]
    public async Task Complete_WhileATakerWaits_WakesItEmptyHandedAndRefusesMore()
    {
        var queue = new WriteQueue<int>();
        var batch = new List<int>();
        var clock = Stopwatch.StartNew();
        var taker = await WaitingTakerAsync(queue, batch);

        queue.Complete();

        Assert.False(await taker.WaitAsync(Long));
        Assert.True(clock.Elapsed < Long / 2, $"woken by Complete ({clock.Elapsed.TotalSeconds:F1} s)");
        Assert.True(queue.IsCompleted);
        Assert.Throws<InvalidOperationException>(() => queue.Add(1));
    }

    [Fact]
    public void Complete_ItemsStillWaiting_AreTakenBeforeItCountsAsCompleted()
    {
        var queue = new WriteQueue<int>();
        queue.Add(1);
        queue.Add(2);
        queue.Complete();

        Assert.False(queue.IsCompleted);
        var batch = new List<int>();
        Assert.True(queue.TryTake(batch, 10, Long));
        Assert.Equal([1, 2], batch);
        Assert.True(queue.IsCompleted);
        var clock = Stopwatch.StartNew();
        Assert.False(queue.TryTake(batch, 10, Long));
        Assert.True(clock.Elapsed < Long / 2, "completed and empty: false at once, not after the timeout");
    }

    /// <summary>A thread blocked in <see cref="WriteQueue{T}.TryTake"/> (given time to get there) with a long timeout.</summary>
    private static async Task<Task<bool>> WaitingTakerAsync(WriteQueue<int> queue, List<int> batch)
    {
        var taker = Task.Factory.StartNew(() => queue.TryTake(batch, 10, Long), TaskCreationOptions.LongRunning);
        await Task.Delay(200);
        return taker;
    }
}
