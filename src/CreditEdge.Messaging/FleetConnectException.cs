namespace CreditEdge.Messaging;

/// <summary>The broker refused a connection attempt (bad credentials, not authorized, unavailable).</summary>
public sealed class FleetConnectException : Exception
{
    public FleetConnectException()
    {
    }

    public FleetConnectException(string message)
        : base(message)
    {
    }

    public FleetConnectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
