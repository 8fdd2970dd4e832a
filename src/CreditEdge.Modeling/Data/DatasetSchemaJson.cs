using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditEdge.Modeling.Data;

/// <summary>Source-generated JSON for schema files: camelCase, comments and trailing commas allowed, unknown keys refused.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(DatasetSchemaDocument))]
internal sealed partial class DatasetSchemaJson : JsonSerializerContext;
