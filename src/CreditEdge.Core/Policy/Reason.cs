using System.Text.Json.Serialization;

namespace CreditEdge.Core.Policy;

/// <summary>
/// A principal reason given with a decision: <see cref="Text"/> is the staff text naming the feature;
/// <see cref="ApplicantText"/> the plain-language text for the applicant when the package has one. A null
/// <see cref="ApplicantText"/> is left out of the decision's JSON, so decisions stored before it existed keep their
/// bytes and audit-chain hashes.
/// </summary>
public sealed record Reason(
    string Code,
    string Feature,
    string Text,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ApplicantText = null);
