namespace CreditEdge.Modeling.Data;

/// <summary>What a column of a training data file is for.</summary>
public enum ColumnRole
{
    /// <summary>A numeric model input (with a domain that becomes a request validation rule).</summary>
    Numeric,

    /// <summary>A categorical model input: one of a fixed list of codes, fed as the code's index.</summary>
    Categorical,

    /// <summary>The outcome to predict; one value means "bad" (default), another "good".</summary>
    Label,

    /// <summary>Identifies the applicant or record; never an input (it may drive the train/test split).</summary>
    Identifier,

    /// <summary>A protected attribute (e.g. sex, marital status): kept out of the model by design.</summary>
    Protected,

    /// <summary>Present in the file but deliberately not used.</summary>
    Ignored,
}
