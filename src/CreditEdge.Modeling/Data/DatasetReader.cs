using System.Globalization;

namespace CreditEdge.Modeling.Data;

/// <summary>
/// Reads a delimited data file according to its <see cref="DatasetSchema"/>. Stops at the first bad value and names
/// the file, the line and the column. Numbers are parsed with the invariant culture and may carry a decimal point.
/// </summary>
public static class DatasetReader
{
    public static Dataset Read(string path, DatasetSchema schema)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(schema);
        if (!File.Exists(path))
        {
            throw new DataFileException($"data file '{path}' does not exist");
        }

        using var reader = new StreamReader(path);
        var lineNumber = 0;
        var positions = schema.HasHeader ? ReadHeader(reader, path, schema, ref lineNumber) : PositionsWithoutHeader(schema);

        var inputs = schema.Inputs;
        var inputPositions = inputs.Select(c => positions[c.Name]).ToArray();
        var labelPosition = positions[schema.Label.Name];
        var protectedPositions = schema.Protected.Select(c => positions[c.Name]).ToArray();
        var protectedValues = protectedPositions.Select(_ => new List<string>(1024)).ToArray();
        var idPosition = schema.Identifier is { } id ? positions[id.Name] : -1;
        var expectedFields = schema.HasHeader ? -1 : schema.Columns.Count;

        var features = new List<float>(4096);
        var labels = new List<int>(1024);
        var isTest = new List<bool>(1024);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = SplitLine(line, schema.Delimiter);
            var needed = expectedFields > 0 ? expectedFields : positions.Count;
            if (fields.Length < needed || (expectedFields > 0 && fields.Length != expectedFields))
            {
                throw new DataFileException($"data '{path}', line {lineNumber}: {fields.Length} fields, expected {needed}");
            }

            for (var i = 0; i < inputs.Count; i++)
            {
                features.Add(ParseInput(fields[inputPositions[i]], inputs[i], path, lineNumber));
            }

            for (var p = 0; p < protectedPositions.Length; p++)
            {
                protectedValues[p].Add(fields[protectedPositions[p]]);
            }

            labels.Add(ParseLabel(fields[labelPosition], schema.Label, path, lineNumber));
            var identifier = idPosition >= 0 && schema.Split.Kind == SplitKind.IdentifierModulo
                ? ParseIdentifier(fields[idPosition], schema.Identifier!, path, lineNumber)
                : 0;
            isTest.Add(schema.Split.IsTest(identifier, labels.Count - 1));
        }

        if (labels.Count == 0)
        {
            throw new DataFileException($"data '{path}' has no data rows");
        }

        return new Dataset(schema, features.ToArray(), labels.ToArray(), isTest.ToArray(), protectedValues.Select(v => v.ToArray()).ToArray());
    }

    private static Dictionary<string, int> ReadHeader(StreamReader reader, string path, DatasetSchema schema, ref int lineNumber)
    {
        var header = reader.ReadLine() ?? throw new DataFileException($"data '{path}' is empty; the schema expects a header line");
        lineNumber++;
        var names = SplitLine(header, schema.Delimiter);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            if (!positions.TryAdd(names[i], i))
            {
                throw new DataFileException($"data '{path}', header: column '{names[i]}' appears twice");
            }
        }

        foreach (var column in schema.Columns)
        {
            if (!positions.ContainsKey(column.Name))
            {
                throw new DataFileException($"data '{path}', header: column '{column.Name}' of the schema is not in the file (it has: {string.Join(", ", names)})");
            }
        }

        var unknown = names.Where(n => !schema.Columns.Any(c => c.Name == n)).ToArray();
        if (unknown.Length > 0)
        {
            throw new DataFileException($"data '{path}', header: column '{unknown[0]}' has no role in the schema; add it (role 'ignored' if it must not be used)");
        }

        return positions;
    }

    private static Dictionary<string, int> PositionsWithoutHeader(DatasetSchema schema) =>
        schema.Columns.Select((c, i) => KeyValuePair.Create(c.Name, i)).ToDictionary(StringComparer.Ordinal);

    private static string[] SplitLine(string line, char? delimiter)
    {
        var fields = delimiter is { } d
            ? line.Split(d)
            : line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = fields[i].Trim().Trim('"');
        }

        return fields;
    }

    private static float ParseInput(string text, DatasetColumn column, string path, int lineNumber)
    {
        if (column.Role == ColumnRole.Categorical)
        {
            var index = IndexOfCode(column.Codes!, text);
            if (index < 0)
            {
                throw new DataFileException($"data '{path}', line {lineNumber}, column '{column.Name}': code '{text}' is not one of the schema's codes ({string.Join(", ", column.Codes!)})");
            }

            return index;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new DataFileException($"data '{path}', line {lineNumber}, column '{column.Name}': '{text}' is not a number");
        }

        if (value < column.Min || value > column.Max)
        {
            throw new DataFileException($"data '{path}', line {lineNumber}, column '{column.Name}': {text} is outside the schema's domain [{column.Min?.ToString(CultureInfo.InvariantCulture)}, {column.Max?.ToString(CultureInfo.InvariantCulture)}]; widen the domain or the device would refuse such applicants");
        }

        if (column.WholeNumber && value != Math.Floor(value))
        {
            throw new DataFileException($"data '{path}', line {lineNumber}, column '{column.Name}': {text} is not a whole number, but the schema says it must be");
        }

        return (float)value;
    }

    private static int ParseLabel(string text, DatasetColumn label, string path, int lineNumber)
    {
        if (SameValue(text, label.Bad!))
        {
            return 1;
        }

        if (SameValue(text, label.Good!))
        {
            return 0;
        }

        throw new DataFileException($"data '{path}', line {lineNumber}, column '{label.Name}': label '{text}' is neither bad '{label.Bad}' nor good '{label.Good}'");
    }

    private static long ParseIdentifier(string text, DatasetColumn identifier, string path, int lineNumber)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && value == Math.Floor(value) && Math.Abs(value) < 9e15)
        {
            return (long)value;
        }

        throw new DataFileException($"data '{path}', line {lineNumber}, column '{identifier.Name}': identifier '{text}' is not a whole number, which the split rule needs");
    }

    private static int IndexOfCode(IReadOnlyList<string> codes, string text)
    {
        for (var i = 0; i < codes.Count; i++)
        {
            if (SameValue(text, codes[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Equal as text, or both numbers of the same value ("1" matches "1.0").</summary>
    private static bool SameValue(string text, string expected) =>
        string.Equals(text, expected, StringComparison.Ordinal)
        || (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            && double.TryParse(expected, NumberStyles.Float, CultureInfo.InvariantCulture, out var b)
            && a == b);
}
