using System.Text.Json;
using System.Text.Json.Serialization;
using CreditEdge.Core.Schema;

namespace CreditEdge.Core.Packages;

/// <summary>The JSON conventions of package files: camelCase names, enums as camelCase strings.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(ModelManifest))]
[JsonSerializable(typeof(GoldenRecord))]
[JsonSerializable(typeof(FeatureDefinition))]
[JsonSerializable(typeof(List<FeatureDefinition>))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
public sealed partial class PackageJson : JsonSerializerContext;
