namespace CreditEdge.Modeling.Data;

/// <summary>The JSON shape of one entry of a schema's <c>columns</c> array.</summary>
internal sealed class ColumnDocument
{
    public string? Name { get; set; }

    public string? Role { get; set; }

    public string? Description { get; set; }

    public double? Min { get; set; }

    public double? Max { get; set; }

    public bool? WholeNumber { get; set; }

    public List<string>? Codes { get; set; }

    public string? ReasonText { get; set; }

    public string? Label { get; set; }

    public string? Unit { get; set; }

    public Dictionary<string, string?>? CodeLabels { get; set; }

    public string? ApplicantText { get; set; }

    public string? ApplicantTextHigh { get; set; }

    public string? ApplicantTextLow { get; set; }

    public string? Bad { get; set; }

    public string? Good { get; set; }
}
