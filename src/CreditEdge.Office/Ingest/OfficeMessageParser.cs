using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CreditEdge.Office.Ingest;

/// <summary>
/// Turns a message from <c>creditedge/devices/{deviceId}/{decisions|telemetry|status|model/events}</c> into the row it
/// becomes, or into a <see cref="RejectedRow"/> that names the field and the rule it broke. Never throws for bad input.
/// </summary>
internal static class OfficeMessageParser
{
    public const int MaxIdLength = 200;

    private const string Prefix = "creditedge/devices/";

    /// <summary>Earliest createdAt / at accepted (a device clock never set says 1970).</summary>
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How far ahead of the office clock a timestamp may be (a device's clock runs ahead; a year-9999 one is hostile).</summary>
    public static readonly TimeSpan MaxAhead = TimeSpan.FromDays(2);

    /// <summary>Largest message taken (a decision is about 1 KB, telemetry a few KB).</summary>
    public const int MaxPayloadBytes = 256 * 1024;

    public static object Parse(string topic, byte[] payload, DateTimeOffset now)
    {
        try
        {
            return ParseOrThrow(topic, payload, now);
        }
        catch (RejectException ex)
        {
            return RejectedRow.Of(topic, payload, ex.Message);
        }
        catch (JsonException ex)
        {
            return RejectedRow.Of(topic, payload, $"not JSON: {ex.Message}");
        }
        catch (Exception ex)
        {
            // whatever else hostile bytes provoke: kept with the reason, never a crash or a loop
            return RejectedRow.Of(topic, payload, $"unreadable: {ex.Message}");
        }
    }

    private static object ParseOrThrow(string topic, byte[] payload, DateTimeOffset now)
    {
        if (payload.Length > MaxPayloadBytes)
        {
            throw new RejectException($"payload of {payload.Length} bytes is over the {MaxPayloadBytes} byte limit (first {RejectedRow.MaxKeptBytes} kept)");
        }

        if (!topic.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new RejectException($"topic {topic} is not under {Prefix}");
        }

        var rest = topic[Prefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            throw new RejectException($"topic {topic} names no device");
        }

        var deviceId = rest[..slash];
        var kind = rest[(slash + 1)..];
        CheckText("device id in the topic", deviceId);
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload);
        if (text.Contains("\\u0000", StringComparison.OrdinalIgnoreCase))
        {
            throw new RejectException("payload holds a \\u0000 escape (PostgreSQL jsonb cannot store it)");
        }

        using var doc = JsonDocument.Parse(payload);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new RejectException($"payload is a JSON {root.ValueKind}, not an object");
        }

        return kind switch
        {
            "decisions" => Decision(root, deviceId, text, now),
            "telemetry" => Telemetry(root, deviceId, text, now),
            "status" => Status(root, deviceId, text, now),
            "model/events" => ModelEvent(root, deviceId, text, now),
            _ => throw new RejectException($"topic kind '{kind}' is not ingested"),
        };
    }

    private static DecisionRow Decision(JsonElement root, string deviceId, string body, DateTimeOffset now)
    {
        var decisionId = Id(root, "decisionId");
        var createdAt = Time(root, "createdAt", now);
        var model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.Object
            ? m : throw new RejectException("model: missing or not an object");
        var probability = Number(root, "probability");
        if (probability is < 0 or > 1 || double.IsNaN(probability))
        {
            throw new RejectException($"probability: {probability.ToString(CultureInfo.InvariantCulture)} is not within 0..1");
        }

        var score = Number(root, "score");
        if (score != Math.Floor(score) || score is < int.MinValue or > int.MaxValue)
        {
            throw new RejectException($"score: {score.ToString(CultureInfo.InvariantCulture)} is not a whole number");
        }

        return new DecisionRow(
            decisionId, createdAt, deviceId, Id(root, "outcome"), (int)score, probability,
            Id(model, "id", "model.id"), Id(model, "version", "model.version"), OptionalId(root, "terminalId"), body);
    }

    private static TelemetryRow Telemetry(JsonElement root, string deviceId, string body, DateTimeOffset now)
    {
        SameDevice(root, deviceId);
        var drift = new List<KeyValuePair<string, double>>();
        if (root.TryGetProperty("drift", out var d) && d.ValueKind == JsonValueKind.Object
            && d.TryGetProperty("featurePsi", out var features) && features.ValueKind == JsonValueKind.Object)
        {
            foreach (var feature in features.EnumerateObject())
            {
                CheckText("drift.featurePsi name", feature.Name);
                if (feature.Value.ValueKind != JsonValueKind.Number || !feature.Value.TryGetDouble(out var psi) || !double.IsFinite(psi))
                {
                    throw new RejectException($"drift.featurePsi.{feature.Name}: not a finite number");
                }

                drift.Add(new(feature.Name, psi));
            }
        }

        return new TelemetryRow(deviceId, Time(root, "at", now), body, drift);
    }

    private static StatusRow Status(JsonElement root, string deviceId, string body, DateTimeOffset now)
    {
        SameDevice(root, deviceId);
        return new StatusRow(deviceId, Id(root, "state"), OptionalId(root, "agentVersion"), OptionalId(root, "modelId"), OptionalId(root, "modelVersion"),
            OptionalId(root, "variant"), OptionalId(root, "locked"), Time(root, "at", now), body,
            root.TryGetProperty("connectedAt", out var connected) && connected.ValueKind != JsonValueKind.Null ? Time(root, "connectedAt", now) : null);
    }

    private static ModelEventRow ModelEvent(JsonElement root, string deviceId, string body, DateTimeOffset now)
    {
        SameDevice(root, deviceId);
        var sequence = root.TryGetProperty("sequence", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out var seq)
            ? seq : throw new RejectException("sequence: missing or not a whole number");
        return new ModelEventRow(deviceId, Time(root, "at", now), Id(root, "event"), sequence, OptionalId(root, "modelId"), OptionalId(root, "version"), body);
    }

    private static void SameDevice(JsonElement root, string deviceId)
    {
        var inBody = Id(root, "deviceId");
        if (!string.Equals(inBody, deviceId, StringComparison.Ordinal))
        {
            throw new RejectException($"deviceId: '{inBody}' is not the topic's device '{deviceId}'");
        }
    }

    private static string Id(JsonElement root, string name, string? label = null) =>
        OptionalId(root, name, label) ?? throw new RejectException($"{label ?? name}: missing");

    private static string? OptionalId(JsonElement root, string name, string? label = null)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new RejectException($"{label ?? name}: a {value.ValueKind}, not a string");
        }

        var text = value.GetString()!;
        CheckText(label ?? name, text);
        return text;
    }

    private static void CheckText(string label, string text)
    {
        if (text.Length is 0 or > MaxIdLength)
        {
            throw new RejectException($"{label}: length {text.Length}, must be 1-{MaxIdLength}");
        }

        if (text.Any(char.IsControl))
        {
            throw new RejectException($"{label}: holds a control character");
        }
    }

    private static double Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number : throw new RejectException($"{name}: missing or not a finite number");

    private static DateTimeOffset Time(JsonElement root, string name, DateTimeOffset now)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String || !value.TryGetDateTimeOffset(out var at))
        {
            throw new RejectException($"{name}: missing or not an ISO 8601 time");
        }

        if (at < Earliest || at > now + MaxAhead)
        {
            throw new RejectException($"{name}: {at:O} is outside {Earliest:yyyy-MM-dd} .. the office's time + {MaxAhead.TotalDays} days");
        }

        return at;
    }

    private sealed class RejectException(string message) : Exception(message);
}
