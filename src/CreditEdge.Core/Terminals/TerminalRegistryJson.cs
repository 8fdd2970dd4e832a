using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditEdge.Core.Terminals;

/// <summary>JSON of <c>terminals.json</c>: an indented array of entries, <c>revokedAt</c> left out while active, no unknown fields.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(List<TerminalEntry>))]
internal sealed partial class TerminalRegistryJson : JsonSerializerContext;
