namespace CreditEdge.Modeling.Data;

/// <summary>One column of a dataset schema: its name in the data file, its role and, for inputs, its domain.</summary>
public sealed record DatasetColumn
{
    public required string Name { get; init; }

    public required ColumnRole Role { get; init; }

    /// <summary>Plain-language meaning, copied into the manifest and the model card.</summary>
    public string? Description { get; init; }

    /// <summary>Numeric inputs: smallest value a request may carry (inclusive).</summary>
    public double? Min { get; init; }

    /// <summary>Numeric inputs: largest value a request may carry (inclusive).</summary>
    public double? Max { get; init; }

    /// <summary>Numeric inputs: the value must be a whole number.</summary>
    public bool WholeNumber { get; init; }

    /// <summary>Categorical inputs: the allowed codes as they appear in the data; the model sees the index.</summary>
    public IReadOnlyList<string>? Codes { get; init; }

    /// <summary>Inputs: the reason text given when this feature drives a decline, e.g. "Recent repayment delay (PAYMENTDELAY_1)".</summary>
    public string? ReasonText { get; init; }

    /// <summary>Inputs: the short caption a form shows for this field, e.g. "Credit limit".</summary>
    public string? Label { get; init; }

    /// <summary>Numeric inputs: the unit the value is given in, e.g. "NT$", "years".</summary>
    public string? Unit { get; init; }

    /// <summary>Categorical inputs: what each code means to a person (a subset of <see cref="Codes"/> may be given).</summary>
    public IReadOnlyDictionary<string, string>? CodeLabels { get; init; }

    /// <summary>Inputs: the reason in plain words an applicant understands (adverse-action style).</summary>
    public string? ApplicantText { get; init; }

    /// <summary>Numeric inputs: the applicant text when the applicant's value is above the reason's reference.</summary>
    public string? ApplicantTextHigh { get; init; }

    /// <summary>Numeric inputs: the applicant text when the applicant's value is below the reason's reference.</summary>
    public string? ApplicantTextLow { get; init; }

    /// <summary>Label: the value that means default ("bad").</summary>
    public string? Bad { get; init; }

    /// <summary>Label: the value that means no default ("good").</summary>
    public string? Good { get; init; }

    public bool IsInput => Role is ColumnRole.Numeric or ColumnRole.Categorical;
}
