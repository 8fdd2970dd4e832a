using System.Text.Json.Nodes;
using CreditEdge.Core.Sync;

namespace CreditEdge.Messaging.Commands;

/// <summary><c>sync-now</c>: wakes the outbox pump instead of waiting for its next poll.</summary>
public sealed class SyncNowCommand(OutboxPump pump, IOutbox outbox) : IDeviceCommand
{
    public string Name => "sync-now";

    public Task<JsonObject> ExecuteAsync(JsonObject? arguments, CancellationToken cancellationToken)
    {
        pump.Nudge();
        return Task.FromResult(new JsonObject { ["outboxDepth"] = outbox.Depth, ["published"] = pump.Published });
    }
}
