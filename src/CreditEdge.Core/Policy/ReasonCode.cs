namespace CreditEdge.Core.Policy;

/// <summary>
/// One row of the manifest's reason-code table: the code and text given when <see cref="Feature"/> is among the
/// features that pushed an applicant furthest toward default, judged against <see cref="Reference"/>.
/// </summary>
public sealed record ReasonCode
{
    public required string Code { get; init; }

    public required string Feature { get; init; }

    public required string Text { get; init; }

    /// <summary>The value (numeric, or code index for categorical features) a low-risk applicant typically has.</summary>
    public required float Reference { get; init; }
}
