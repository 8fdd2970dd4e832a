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

    /// <summary>Label: the value that means default ("bad").</summary>
    public string? Bad { get; init; }

    /// <summary>Label: the value that means no default ("good").</summary>
    public string? Good { get; init; }

    public bool IsInput => Role is ColumnRole.Numeric or ColumnRole.Categorical;
}
