namespace CreditEdge.Messaging;

/// <summary>The broker answered a publish with an error reason (e.g. NotAuthorized, QuotaExceeded).</summary>
public sealed class FleetPublishException : Exception
{
    public FleetPublishException(string topic, string reasonCode, string? reason)
        : base($"broker refused publish to '{topic}': {reasonCode}{(string.IsNullOrEmpty(reason) ? string.Empty : " (" + reason + ")")}")
    {
        Topic = topic;
        ReasonCode = reasonCode;
    }

    public FleetPublishException()
    {
    }

    public FleetPublishException(string message)
        : base(message)
    {
    }

    public FleetPublishException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string? Topic { get; }

    public string? ReasonCode { get; }
}
