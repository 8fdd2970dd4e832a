namespace CreditEdge.Modeling.Data;

/// <summary>The JSON shape of a dataset schema file, before validation.</summary>
internal sealed class DatasetSchemaDocument
{
    public string? Name { get; set; }

    public string? Description { get; set; }

    public string? Source { get; set; }

    /// <summary>A single character, or <c>whitespace</c> for space-separated files.</summary>
    public string? Delimiter { get; set; }

    public bool? Header { get; set; }

    public SplitDocument? Split { get; set; }

    public List<ColumnDocument>? Columns { get; set; }
}
