namespace CreditEdge.Messaging.Central;

/// <summary>How the office reaches the broker: its URL (<c>mqtt://</c> or <c>mqtts://</c>) and, for password listeners, a user.</summary>
public sealed record CentralConnection(Uri Broker, string? Username, string? Password)
{
    /// <summary>The device link's options (reconnect policy, keep-alive, echo probe — every default the same) for an office client.</summary>
    public FleetLinkOptions LinkOptions(TimeSpan sessionExpiry) => new()
    {
        Broker = Broker.GetLeftPart(UriPartial.Authority),
        Username = Username,
        Password = Password,
        SessionExpiry = sessionExpiry,
    };
}
