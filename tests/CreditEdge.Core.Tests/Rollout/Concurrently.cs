namespace CreditEdge.Core.Tests.Rollout;

/// <summary>Runs the same work on eight threads released together by a barrier, so their calls overlap.</summary>
internal static class Concurrently
{
    public static void OnEightThreads(Action work)
    {
        using var start = new Barrier(8);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                work();
            }
            catch (Exception ex)
            {
                failures.Enqueue(ex);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (!failures.IsEmpty)
        {
            throw new AggregateException(failures);
        }
    }
}
