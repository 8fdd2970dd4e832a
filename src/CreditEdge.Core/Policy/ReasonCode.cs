namespace CreditEdge.Core.Policy;

/// <summary>
/// One row of the manifest's reason-code table: the code and text given when <see cref="Feature"/> is among the
/// features that pushed an applicant furthest toward default, judged against <see cref="Reference"/>.
/// </summary>
public sealed record ReasonCode
{
    public required string Code { get; init; }

    public required string Feature { get; init; }

    /// <summary>The staff text, naming the feature, e.g. <c>Credit limit (CREDIT_LIMIT)</c>.</summary>
    public required string Text { get; init; }

    /// <summary>
    /// What the applicant reads, in plain words, e.g. <c>Your credit limit is low compared with approved applicants</c>.
    /// Optional: without it the applicant gets <see cref="Text"/>.
    /// </summary>
    public string? ApplicantText { get; init; }

    /// <summary>Numeric features only, optional: the applicant text when the applicant's value is above <see cref="Reference"/>.</summary>
    public string? ApplicantTextHigh { get; init; }

    /// <summary>Numeric features only, optional: the applicant text when the applicant's value is below <see cref="Reference"/>.</summary>
    public string? ApplicantTextLow { get; init; }

    /// <summary>The value (numeric, or code index for categorical features) a low-risk applicant typically has.</summary>
    public required float Reference { get; init; }
}
