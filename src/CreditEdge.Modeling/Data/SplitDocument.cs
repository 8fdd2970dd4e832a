namespace CreditEdge.Modeling.Data;

/// <summary>The JSON shape of a schema's <c>split</c> object.</summary>
internal sealed class SplitDocument
{
    /// <summary><c>identifierModulo</c> or <c>rowIndexModulo</c>.</summary>
    public string? Rule { get; set; }

    public int? Modulus { get; set; }

    public int? Remainder { get; set; }
}
