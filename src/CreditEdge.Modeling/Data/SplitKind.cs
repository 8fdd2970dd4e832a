namespace CreditEdge.Modeling.Data;

/// <summary>How rows are assigned to the test split.</summary>
public enum SplitKind
{
    /// <summary>Test = rows whose identifier column value % modulus == remainder.</summary>
    IdentifierModulo,

    /// <summary>Test = rows whose 0-based data row index % modulus == remainder.</summary>
    RowIndexModulo,
}
