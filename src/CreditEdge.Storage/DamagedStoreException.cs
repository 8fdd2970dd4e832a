namespace CreditEdge.Storage;

/// <summary>
/// The store's files are damaged (cut short, garbled): it is refused and left as it is. <c>cedge audit verify</c> then
/// reads what it can with <see cref="AuditSalvage"/>.
/// </summary>
public sealed class DamagedStoreException : StorageException
{
    public DamagedStoreException()
    {
    }

    public DamagedStoreException(string message)
        : base(message)
    {
    }

    public DamagedStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
