using CreditEdge.Core.Schema;

namespace CreditEdge.Modeling.Data;

/// <summary>
/// What a training data file holds: each column's role, the inputs' domains, the label and the agreed split.
/// Model inputs are the numeric and categorical columns, in the order the schema lists them.
/// Read one with <see cref="DatasetSchemaReader.Load(string)"/>.
/// </summary>
public sealed class DatasetSchema
{
    internal DatasetSchema(
        string name,
        string? description,
        string? source,
        char? delimiter,
        bool hasHeader,
        IReadOnlyList<DatasetColumn> columns,
        SplitRule split)
    {
        Name = name;
        Description = description;
        Source = source;
        Delimiter = delimiter;
        HasHeader = hasHeader;
        Columns = columns;
        Split = split;
        Inputs = columns.Where(c => c.IsInput).ToArray();
        Label = columns.Single(c => c.Role == ColumnRole.Label);
        Identifier = columns.FirstOrDefault(c => c.Role == ColumnRole.Identifier);
        Protected = columns.Where(c => c.Role == ColumnRole.Protected).ToArray();
    }

    /// <summary>Short name of the data set, e.g. <c>taiwan-credit</c>.</summary>
    public string Name { get; }

    public string? Description { get; }

    /// <summary>Where the data comes from (citation), for the model card.</summary>
    public string? Source { get; }

    /// <summary>The field separator, or null for "one or more spaces/tabs".</summary>
    public char? Delimiter { get; }

    /// <summary>True when the first line names the columns; otherwise columns are matched by position.</summary>
    public bool HasHeader { get; }

    /// <summary>All columns, in schema order.</summary>
    public IReadOnlyList<DatasetColumn> Columns { get; }

    /// <summary>Model inputs in manifest order.</summary>
    public IReadOnlyList<DatasetColumn> Inputs { get; }

    public DatasetColumn Label { get; }

    public DatasetColumn? Identifier { get; }

    public IReadOnlyList<DatasetColumn> Protected { get; }

    public SplitRule Split { get; }

    /// <summary>The inputs as the manifest's feature schema (every feature required).</summary>
    public IReadOnlyList<FeatureDefinition> ToFeatureDefinitions() =>
        Inputs.Select(c => new FeatureDefinition
        {
            Name = c.Name,
            Kind = c.Role == ColumnRole.Categorical ? FeatureKind.Categorical : FeatureKind.Numeric,
            Description = c.Description,
            Label = c.Label,
            Unit = c.Unit,
            CodeLabels = c.CodeLabels,
            Min = c.Min,
            Max = c.Max,
            WholeNumber = c.WholeNumber,
            Required = true,
            Codes = c.Codes,
        }).ToArray();

    /// <summary>Identifier and protected columns: fields a request may carry that never reach the model.</summary>
    public IReadOnlyList<NonInputField> ToNonInputFields() =>
        Columns.Where(c => c.Role is ColumnRole.Identifier or ColumnRole.Protected)
            .Select(c => new NonInputField(c.Name, c.Role == ColumnRole.Identifier ? FieldRole.Identifier : FieldRole.Protected))
            .ToArray();
}
