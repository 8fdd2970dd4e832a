using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditEdge.Core.Security;

/// <summary>
/// The canonical JSON of an unlock order (<see cref="UnlockOrderDocument"/>): compact, camel case, properties in the
/// record's declaration order. Reading is strict: every field exactly once, none unknown, none null, each of its JSON
/// type (no numbers in strings), no comments or trailing commas.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true,
    AllowDuplicateProperties = false,
    NumberHandling = JsonNumberHandling.Strict,
    MaxDepth = 4)]
[JsonSerializable(typeof(UnlockOrderDocument))]
internal sealed partial class UnlockOrderJson : JsonSerializerContext;
