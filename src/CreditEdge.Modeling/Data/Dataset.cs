namespace CreditEdge.Modeling.Data;

/// <summary>
/// Rows of a data file as the model sees them: raw inputs in manifest order (numeric values as given,
/// categorical values as code indices), the label (1 = bad) and whether each row is in the test split.
/// </summary>
public sealed class Dataset
{
    private readonly float[] _features;
    private readonly int[] _labels;
    private readonly bool[] _isTest;
    private readonly string[][] _protected;

    /// <param name="protectedValues">Per protected column of the schema, one value per row as written in the file (for the
    /// fairness report only; never a model input). Null: every value is empty.</param>
    public Dataset(DatasetSchema schema, float[] features, int[] labels, bool[] isTest, IReadOnlyList<string[]>? protectedValues = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(isTest);
        var width = schema.Inputs.Count;
        if (features.Length != labels.Length * width || isTest.Length != labels.Length)
        {
            throw new ArgumentException($"{labels.Length} labels need {labels.Length * width} feature values and {labels.Length} split flags");
        }

        Schema = schema;
        _features = features;
        _labels = labels;
        _isTest = isTest;
        _protected = protectedValues?.ToArray() ?? schema.Protected.Select(_ => Enumerable.Repeat(string.Empty, labels.Length).ToArray()).ToArray();
        if (_protected.Length != schema.Protected.Count || _protected.Any(p => p.Length != labels.Length))
        {
            throw new ArgumentException($"one value per row is needed for each of the {schema.Protected.Count} protected columns");
        }
    }

    public DatasetSchema Schema { get; }

    public int FeatureCount => Schema.Inputs.Count;

    public int RowCount => _labels.Length;

    /// <summary>All rows, row-major [RowCount × FeatureCount].</summary>
    public ReadOnlySpan<float> Features => _features;

    /// <summary>One row's raw inputs in manifest order.</summary>
    public ReadOnlySpan<float> Row(int row) => _features.AsSpan(row * FeatureCount, FeatureCount);

    /// <summary>1 when the row defaulted ("bad"), else 0.</summary>
    public int Label(int row) => _labels[row];

    public bool IsTest(int row) => _isTest[row];

    /// <summary>The value of protected column <paramref name="column"/> (index into <see cref="DatasetSchema.Protected"/>) in a row.</summary>
    public string ProtectedValue(int column, int row) => _protected[column][row];

    /// <summary>Share of rows with label 1.</summary>
    public double BadRate => RowCount == 0 ? 0 : _labels.Average();

    /// <summary>The rows of the training split.</summary>
    public Dataset Train() => Subset(Enumerable.Range(0, RowCount).Where(i => !_isTest[i]).ToArray());

    /// <summary>The rows of the test split.</summary>
    public Dataset Test() => Subset(Enumerable.Range(0, RowCount).Where(i => _isTest[i]).ToArray());

    /// <summary>The given rows, in the given order.</summary>
    public Dataset Subset(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var width = FeatureCount;
        var features = new float[rows.Count * width];
        var labels = new int[rows.Count];
        var isTest = new bool[rows.Count];
        var protectedValues = _protected.Select(_ => new string[rows.Count]).ToArray();
        for (var i = 0; i < rows.Count; i++)
        {
            Row(rows[i]).CopyTo(features.AsSpan(i * width, width));
            labels[i] = _labels[rows[i]];
            isTest[i] = _isTest[rows[i]];
            for (var p = 0; p < protectedValues.Length; p++)
            {
                protectedValues[p][i] = _protected[p][rows[i]];
            }
        }

        return new Dataset(Schema, features, labels, isTest, protectedValues);
    }
}
