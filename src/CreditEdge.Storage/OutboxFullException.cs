namespace CreditEdge.Storage;

/// <summary>
/// The outbox holds <see cref="DecisionStoreSettings.MaxOutbox"/> unsynced decisions: new decisions are refused rather
/// than any stored one dropped. Clears as soon as the link drains the outbox.
/// </summary>
public sealed class OutboxFullException : StorageException
{
    public OutboxFullException()
    {
    }

    public OutboxFullException(string message)
        : base(message)
    {
    }

    public OutboxFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
