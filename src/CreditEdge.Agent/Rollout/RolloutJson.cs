using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditEdge.Agent.Rollout;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RolloutStateFile.Stored))]
internal sealed partial class RolloutJson : JsonSerializerContext;
