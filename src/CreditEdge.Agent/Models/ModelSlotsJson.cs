using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditEdge.Agent.Models;

/// <summary>Source-generated JSON for the active-model pointer: camelCase, strict (every property required, nulls only where nullable).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    WriteIndented = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ActiveModelRecord))]
internal sealed partial class ModelSlotsJson : JsonSerializerContext;
