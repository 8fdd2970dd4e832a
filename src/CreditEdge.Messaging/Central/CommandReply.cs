using System.Text.Json;
using System.Text.Json.Nodes;

namespace CreditEdge.Messaging.Central;

/// <summary>A device's answer to a command (<see cref="CommandProcessor"/>): <c>{"ok":true,…}</c> or <c>{"ok":false,"error":"…"}</c>, plus <c>"command"</c>.</summary>
/// <param name="DeviceId">The device that answered.</param>
/// <param name="Body">The answer as sent; for an answer that is not a JSON object, <c>{"ok":false,"error":…}</c> saying so.</param>
public sealed record CommandReply(string DeviceId, JsonObject Body)
{
    /// <summary>The device did what was asked: <c>"ok"</c> is <c>true</c>.</summary>
    public bool Ok => Body["ok"] is JsonValue ok && ok.GetValueKind() == JsonValueKind.True;

    /// <summary>Why the device refused (<c>"error"</c>), or null when it did not say.</summary>
    public string? Error => Body["error"] is JsonValue error && error.GetValueKind() == JsonValueKind.String ? error.GetValue<string>() : null;

    /// <summary>Reads a reply payload; whatever it holds, the result is a reply (one that is not JSON says so and is not ok).</summary>
    public static CommandReply Parse(string deviceId, ReadOnlySpan<byte> payload)
    {
        try
        {
            if (JsonNode.Parse(payload) is JsonObject body)
            {
                return new CommandReply(deviceId, body);
            }
        }
        catch (JsonException)
        {
            // not JSON: answered below
        }

        return new CommandReply(deviceId, new JsonObject { ["ok"] = false, ["error"] = $"the answer ({payload.Length} bytes) is not a JSON object" });
    }
}
