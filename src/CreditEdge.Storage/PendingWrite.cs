namespace CreditEdge.Storage;

/// <summary>
/// A write waiting for the writer thread — a decision (<see cref="PendingDecision"/>) or a device event
/// (<see cref="PendingEvent"/>) — and the caller waiting for it to be durable.
/// </summary>
internal abstract class PendingWrite(string json)
{
    /// <summary>The canonical JSON that is stored and hashed into the audit chain.</summary>
    public string Json { get; } = json;

    /// <summary>Hands the caller what the commit decided for it; called once the batch is durable.</summary>
    public abstract void Complete();

    /// <summary>The batch did not commit.</summary>
    public abstract void Fail(Exception error);
}
