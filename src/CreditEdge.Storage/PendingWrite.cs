namespace CreditEdge.Storage;

/// <summary>
/// A write waiting for the writer thread — a decision (<see cref="PendingDecision"/>) or a device event
/// (<see cref="PendingEvent"/>) — and the caller waiting for it to be durable.
/// </summary>
internal abstract class PendingWrite
{
    /// <summary>Hands the caller what the commit decided for it; called once the batch is durable.</summary>
    public abstract void Complete();

    /// <summary>The batch did not commit.</summary>
    public abstract void Fail(Exception error);
}
