using Microsoft.Extensions.Logging;

namespace CreditEdge.Messaging.Central;

/// <summary>
/// An office client (ingest, fleet status) is the device's link: the same <see cref="BrokerLink"/> — reconnect policy,
/// persistent session, receive-path probe, acknowledgement after the handlers — with its own client id, an echo topic
/// under <c>creditedge/office/{clientId}/</c> and no presence (no Will, no status).
/// </summary>
internal static class CentralClient
{
    public static BrokerLink Create(FleetLinkOptions options, string clientId, TimeProvider time, ILogger logger) =>
        new(options, clientId, Topics.OfficeEcho(clientId), presence: null, time, logger);

    /// <summary>
    /// Waits until <paramref name="link"/> (running) is connected; after <paramref name="timeout"/> throws
    /// <see cref="FleetConnectException"/> saying how many attempts failed and the last reason.
    /// </summary>
    public static async Task WaitConnectedAsync(BrokerLink link, CentralConnection connection, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await link.WaitConnectedAsync(cancellationToken).WaitAsync(timeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new FleetConnectException(
                $"could not connect to {connection.Broker.GetLeftPart(UriPartial.Authority)} within {timeout:c} ({link.ConnectFailures} attempts failed; last: {link.LastConnectFailure ?? "no answer"})");
        }
    }
}
