using System.Text.Json;
using System.Text.Json.Nodes;
using CreditEdge.Core.Sync;

namespace CreditEdge.Messaging.Commands;

/// <summary><c>status</c>: the device's status, outbox depth and link counters.</summary>
public sealed class StatusCommand(IDeviceStatusSource status, IOutbox outbox, FleetLink link) : IDeviceCommand
{
    public string Name => "status";

    public Task<JsonObject> ExecuteAsync(JsonObject? arguments, CancellationToken cancellationToken)
    {
        var result = JsonSerializer.SerializeToNode(status.Online(), MessagingJson.Wire.DeviceStatus)!.AsObject();
        result["outboxDepth"] = outbox.Depth;
        result["received"] = link.Received;
        result["reconnects"] = link.Reconnects;
        result["receiveStalls"] = link.Stalls;
        return Task.FromResult(result);
    }
}
