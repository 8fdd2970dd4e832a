namespace CreditEdge.Core.Rollout;

/// <summary>
/// A uniform random sample of at most <see cref="Capacity"/> items from a stream of any length (reservoir sampling,
/// Vitter's algorithm R): the first <see cref="Capacity"/> items are kept; the n-th after that replaces a random slot with
/// probability Capacity / n. The <see cref="Random"/> is seeded, so the same stream always keeps the same items. Memory
/// is bounded by <see cref="Capacity"/> however long the stream runs. Not thread-safe: its owner holds a lock.
/// </summary>
internal sealed class Reservoir<T>
{
    private readonly List<T> _items = [];
    private readonly Random _random;
    private long _seen;

    public Reservoir(int capacity, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _random = new Random(seed);
    }

    public int Capacity { get; }

    /// <summary>Items held now: min(items added, <see cref="Capacity"/>).</summary>
    public int Count => _items.Count;

    public void Add(T item)
    {
        _seen++;
        if (_items.Count < Capacity)
        {
            _items.Add(item);
            return;
        }

        // Not for security: a repeatable, uniform choice of which sample to keep.
#pragma warning disable CA5394
        var slot = _random.NextInt64(_seen);
#pragma warning restore CA5394
        if (slot < Capacity)
        {
            _items[(int)slot] = item;
        }
    }

    public T[] ToArray() => [.. _items];
}
