using System.Text.Json.Serialization;

namespace CreditEdge.Core.Schema;

/// <summary>Why a field the request may carry is never a model input.</summary>
public enum FieldRole
{
    /// <summary>Identifies the applicant or the record (e.g. <c>USER_ID</c>).</summary>
    [JsonStringEnumMemberName("identifier")]
    Identifier,

    /// <summary>A protected attribute (e.g. <c>SEX</c>): kept out of the model by design.</summary>
    [JsonStringEnumMemberName("protected")]
    Protected,
}
