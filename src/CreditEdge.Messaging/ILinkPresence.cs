namespace CreditEdge.Messaging;

/// <summary>
/// What a link says about its owner on the broker: a Last Will (built at every connect), a birth message once connected
/// and a goodbye on a clean stop. The device has one (its retained status); the office's clients have none.
/// </summary>
public interface ILinkPresence
{
    /// <summary>The Last Will of the next connection, or null for none.</summary>
    LinkWill? Will();

    /// <summary>Runs inside each connect attempt after subscribing; a failure fails the attempt (it is retried).</summary>
    Task OnConnectedAsync(BrokerLink link, CancellationToken cancellationToken);

    /// <summary>Runs once on a clean stop while still connected, before the normal disconnect.</summary>
    Task OnStoppingAsync(BrokerLink link, CancellationToken cancellationToken);
}
