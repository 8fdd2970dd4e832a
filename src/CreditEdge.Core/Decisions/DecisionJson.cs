using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditEdge.Core.Decisions;

/// <summary>
/// The canonical JSON of a decision: what is stored, hashed into the audit chain and synced. Property order is the
/// declaration order of <see cref="Decision"/>, so the same decision always gives the same bytes.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    WriteIndented = false,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(Decision))]
public sealed partial class DecisionJson : JsonSerializerContext;
