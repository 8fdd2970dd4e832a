using System.Text.Json.Nodes;

namespace CreditEdge.Messaging.Central;

/// <summary>One device as the broker's retained messages describe it.</summary>
public sealed record FleetDevice(string DeviceId, JsonObject? Status, JsonObject? Telemetry);
