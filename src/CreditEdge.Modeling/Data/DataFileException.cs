namespace CreditEdge.Modeling.Data;

/// <summary>A data file that does not match its schema; the message names the file, the line and the column.</summary>
public sealed class DataFileException : Exception
{
    public DataFileException(string message)
        : base(message)
    {
    }

    public DataFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DataFileException()
        : base("the data file cannot be read")
    {
    }
}
