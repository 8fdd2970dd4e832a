namespace CreditEdge.Storage;

/// <summary>
/// The writer thread's queue: any thread adds, the one writer takes what waits, up to a batch. The writer blocks in
/// <see cref="Monitor.Wait(object, TimeSpan)"/> without spinning first. <c>BlockingCollection</c>'s semaphore spun
/// (<c>sched_yield</c>) before it blocked: at one client that was ~30 % of the writer thread's CPU (perf), taken from the
/// two cores the HTTP threads need, for a request that arrives a round trip later than any spin lasts.
/// </summary>
internal sealed class WriteQueue<T>
{
    private readonly Queue<T> _items = new();
    private readonly object _gate = new();
    private bool _completed;
    private bool _waiting;

    /// <summary>True once <see cref="Complete"/> was called and everything added was taken.</summary>
    public bool IsCompleted
    {
        get
        {
            lock (_gate)
            {
                return _completed && _items.Count == 0;
            }
        }
    }

    /// <exception cref="InvalidOperationException">After <see cref="Complete"/>.</exception>
    public void Add(T item)
    {
        lock (_gate)
        {
            if (_completed)
            {
                throw new InvalidOperationException("the queue takes no more items");
            }

            _items.Enqueue(item);
            if (_waiting)
            {
                Monitor.Pulse(_gate);
            }
        }
    }

    /// <summary>No more items are added; a waiting taker wakes.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// Adds to <paramref name="batch"/> what waits, at most <paramref name="max"/>; when nothing waits, first waits up to
    /// <paramref name="timeout"/> for an item. False when nothing came (the timeout, or completion).
    /// </summary>
    public bool TryTake(List<T> batch, int max, TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_items.Count == 0 && !_completed)
            {
                _waiting = true;
                try
                {
                    Monitor.Wait(_gate, timeout);
                }
                finally
                {
                    _waiting = false;
                }
            }

            var before = batch.Count;
            while (batch.Count < max && _items.TryDequeue(out var item))
            {
                batch.Add(item);
            }

            return batch.Count > before;
        }
    }
}
