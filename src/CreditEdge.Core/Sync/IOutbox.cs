namespace CreditEdge.Core.Sync;

/// <summary>
/// Decisions waiting for the central office, oldest first. Records leave only through <see cref="Acknowledge"/>,
/// which the pump calls after the broker's PUBACK.
/// </summary>
public interface IOutbox
{
    /// <summary>Records waiting now.</summary>
    long Depth { get; }

    /// <summary>The oldest waiting records, at most <paramref name="max"/>, in sequence order.</summary>
    IReadOnlyList<OutboxRecord> Peek(int max);

    /// <summary>Raised after new records were committed, so a pump can wake up.</summary>
    event Action? RecordsAdded;

    /// <summary>Removes records the broker has acknowledged.</summary>
    void Acknowledge(IReadOnlyCollection<long> sequences);
}
