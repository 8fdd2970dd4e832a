using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using MQTTnet;

namespace CreditEdge.Messaging.Central;

/// <summary>Reads every device's retained status and last telemetry from the broker.</summary>
public static class FleetStatusReader
{
    public static async Task<IReadOnlyList<FleetDevice>> ReadAsync(Uri broker, string? username, string? password, TimeSpan listen, CancellationToken cancellationToken)
    {
        var status = new ConcurrentDictionary<string, JsonObject>(StringComparer.Ordinal);
        var telemetry = new ConcurrentDictionary<string, JsonObject>(StringComparer.Ordinal);
        var client = await CentralClient.ConnectAsync(broker, $"cedge-status-{Guid.NewGuid():N}", persistent: false, username, password, e =>
        {
            var parts = e.ApplicationMessage.Topic.Split('/');
            if (parts.Length == 4 && JsonNode.Parse(e.ApplicationMessage.ConvertPayloadToString() ?? "null") is JsonObject json)
            {
                (parts[3] == "status" ? status : telemetry)[parts[2]] = json;
            }

            return Task.CompletedTask;
        }, ["creditedge/devices/+/status", "creditedge/devices/+/telemetry"], cancellationToken);

        try
        {
            await Task.Delay(listen, cancellationToken); // retained messages arrive right after subscribing
        }
        finally
        {
            await client.DisconnectAsync(cancellationToken: CancellationToken.None);
            client.Dispose();
        }

        return status.Keys.Union(telemetry.Keys).Order(StringComparer.Ordinal)
            .Select(id => new FleetDevice(id, status.GetValueOrDefault(id), telemetry.GetValueOrDefault(id)))
            .ToList();
    }
}
