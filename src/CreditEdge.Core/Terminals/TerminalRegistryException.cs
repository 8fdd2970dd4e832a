namespace CreditEdge.Core.Terminals;

/// <summary>The terminal registry cannot be read or changed as asked; the message says why and what to do.</summary>
public sealed class TerminalRegistryException : Exception
{
    public TerminalRegistryException(string message)
        : base(message)
    {
    }

    public TerminalRegistryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TerminalRegistryException()
    {
    }
}
