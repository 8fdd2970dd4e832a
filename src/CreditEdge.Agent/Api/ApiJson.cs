using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditEdge.Agent.Api;

/// <summary>Source-generated JSON for the API's responses.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DecisionResponse))]
[JsonSerializable(typeof(ModelResponse))]
[JsonSerializable(typeof(ProblemResponse))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(ScoreRequestDocument))]
public sealed partial class ApiJson : JsonSerializerContext
{
    /// <summary>The context the API writes with: like <see cref="Default"/>, but without escaping quotes and non-ASCII letters.</summary>
    public static ApiJson Api { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    });
}
