namespace CreditEdge.Modeling.Data;

/// <summary>The agreed train/test split: a row is in the test split when its key % <see cref="Modulus"/> == <see cref="Remainder"/>.</summary>
public sealed record SplitRule(SplitKind Kind, int Modulus, int Remainder)
{
    /// <summary>True when the row belongs to the test split.</summary>
    /// <param name="identifier">The identifier column's value (ignored for <see cref="SplitKind.RowIndexModulo"/>).</param>
    /// <param name="rowIndex">0-based index of the data row (header not counted).</param>
    public bool IsTest(long identifier, long rowIndex)
    {
        var key = Kind == SplitKind.IdentifierModulo ? identifier : rowIndex;
        return ((key % Modulus) + Modulus) % Modulus == Remainder;
    }

    /// <summary>The rule in words, for the model card, e.g. "test = USER_ID % 5 == 0".</summary>
    public string Describe(string? identifierName) => Kind == SplitKind.IdentifierModulo
        ? $"test = {identifierName} % {Modulus} == {Remainder}, train = the rest"
        : $"test = 0-based row index % {Modulus} == {Remainder}, train = the rest";
}
