using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditEdge.Messaging;

/// <summary>JSON of the messages the device publishes.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeviceStatus))]
[JsonSerializable(typeof(TelemetryReport))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
public sealed partial class MessagingJson : JsonSerializerContext;
