using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditEdge.Messaging;

/// <summary>JSON of the messages the device publishes.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeviceStatus))]
[JsonSerializable(typeof(TelemetryReport))]
[JsonSerializable(typeof(Rollout.ModelEvent))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
public sealed partial class MessagingJson : JsonSerializerContext
{
    /// <summary>The context messages are written with: no escaping of '+', quotes or non-ASCII letters.</summary>
    public static MessagingJson Wire { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });
}
