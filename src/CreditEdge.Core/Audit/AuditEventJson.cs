using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditEdge.Core.Audit;

/// <summary>
/// The canonical JSON of an <see cref="AuditEvent"/>: what is stored in its audit link and hashed into the chain.
/// Property order is the declaration order of the record and <see cref="AuditEvent.Data"/> is in ordinal key order, so
/// the same event always gives the same bytes.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    WriteIndented = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(AuditEvent))]
public sealed partial class AuditEventJson : JsonSerializerContext;
