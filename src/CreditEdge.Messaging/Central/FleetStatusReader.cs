using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace CreditEdge.Messaging.Central;

/// <summary>
/// Reads every device's retained status and last telemetry from the broker through an office link: it connects with the
/// device's reconnect policy (giving up after a deadline), listens, and — should the broker restart meanwhile — reconnects
/// and receives the retained messages again.
/// </summary>
public static class FleetStatusReader
{
    /// <param name="listen">How long to collect after the first connect (retained messages arrive right after subscribing).</param>
    /// <param name="connectTimeout">How long to keep retrying the first connect; then <see cref="FleetConnectException"/>.</param>
    public static async Task<IReadOnlyList<FleetDevice>> ReadAsync(CentralConnection connection, TimeSpan listen, TimeSpan connectTimeout,
        TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var status = new ConcurrentDictionary<string, JsonObject>(StringComparer.Ordinal);
        var telemetry = new ConcurrentDictionary<string, JsonObject>(StringComparer.Ordinal);
        Task Collect(ReceivedMessage message, CancellationToken _)
        {
            var parts = message.Topic.Split('/');
            try
            {
                if (parts.Length == 4 && JsonNode.Parse(message.Payload.Span) is JsonObject json)
                {
                    (parts[3] == "status" ? status : telemetry)[parts[2]] = json;
                }
            }
            catch (JsonException)
            {
                // not a status or telemetry document: nothing to show
            }

            return Task.CompletedTask;
        }

        // a throwaway session: nothing is queued for a one-shot reader, and a reconnect subscribes afresh (and gets the retained messages again)
        using var link = CentralClient.Create(connection.LinkOptions(sessionExpiry: TimeSpan.Zero), $"cedge-status-{Guid.NewGuid():N}", time, logger);
        link.Subscribe(Topics.Status("+"), Collect);
        link.Subscribe(Topics.Telemetry("+"), Collect);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = link.RunAsync(stop.Token);
        try
        {
            await CentralClient.WaitConnectedAsync(link, connection, connectTimeout, time, stop.Token);

            await Task.Delay(listen, time, stop.Token);
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }

        return status.Keys.Union(telemetry.Keys).Order(StringComparer.Ordinal)
            .Select(id => new FleetDevice(id, status.GetValueOrDefault(id), telemetry.GetValueOrDefault(id)))
            .ToList();
    }
}
