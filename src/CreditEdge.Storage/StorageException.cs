namespace CreditEdge.Storage;

/// <summary>The decision store cannot be opened or cannot take a write; the message says why and what to do.</summary>
public class StorageException : Exception
{
    public StorageException()
    {
    }

    public StorageException(string message)
        : base(message)
    {
    }

    public StorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
