using System.Text.Json;
using CreditEdge.Core.Schema;

namespace CreditEdge.Modeling.Data;

/// <summary>Reads and checks a dataset schema file; every problem is reported with the file and the column it concerns.</summary>
public static class DatasetSchemaReader
{
    private static readonly string[] RoleNames = ["numeric", "categorical", "label", "identifier", "protected", "ignored"];

    /// <summary>Reads the schema at <paramref name="path"/>; throws <see cref="DatasetSchemaException"/> naming every problem.</summary>
    public static DatasetSchema Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new DatasetSchemaException(path, ["the file does not exist"]);
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses schema JSON; <paramref name="file"/> names the source in error messages.</summary>
    public static DatasetSchema Parse(string json, string file)
    {
        DatasetSchemaDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, DatasetSchemaJson.Default.DatasetSchemaDocument);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}{(ex.Path is { Length: > 0 } p ? $", at {p}" : string.Empty)})" : string.Empty;
            throw new DatasetSchemaException(file, $"not a valid schema document{where}: {FirstSentence(ex.Message)}", ex);
        }

        if (document is null)
        {
            throw new DatasetSchemaException(file, ["the file holds JSON null, not a schema object"]);
        }

        var problems = new List<string>();
        var columns = ReadColumns(document, problems);
        var delimiter = ReadDelimiter(document.Delimiter, problems);
        var split = ReadSplit(document.Split, columns, problems);

        var labels = columns.Count(c => c.Role == ColumnRole.Label);
        if (labels == 0)
        {
            problems.Add("no column has role 'label'; exactly one column must be the label");
        }
        else if (labels > 1)
        {
            problems.Add($"columns {string.Join(", ", columns.Where(c => c.Role == ColumnRole.Label).Select(c => $"'{c.Name}'"))} all have role 'label'; exactly one may");
        }

        if (columns.Count(c => c.Role == ColumnRole.Identifier) > 1)
        {
            problems.Add("more than one column has role 'identifier'; at most one may");
        }

        if (document.Columns is { Count: > 0 } && !columns.Any(c => c.IsInput))
        {
            problems.Add("no column has role 'numeric' or 'categorical'; the model needs at least one input");
        }

        if (problems.Count == 0)
        {
            CheckAsFeatureSchema(columns, problems);
        }

        if (problems.Count > 0)
        {
            throw new DatasetSchemaException(file, problems);
        }

        var name = string.IsNullOrWhiteSpace(document.Name) ? Path.GetFileNameWithoutExtension(file) : document.Name;
        return new DatasetSchema(name, document.Description, document.Source, delimiter, document.Header ?? true, columns, split!);
    }

    private static List<DatasetColumn> ReadColumns(DatasetSchemaDocument document, List<string> problems)
    {
        var columns = new List<DatasetColumn>();
        if (document.Columns is null || document.Columns.Count == 0)
        {
            problems.Add("'columns' is missing or empty");
            return columns;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < document.Columns.Count; i++)
        {
            var c = document.Columns[i];
            if (string.IsNullOrWhiteSpace(c.Name))
            {
                problems.Add($"column #{i + 1} has no 'name'");
                continue;
            }

            var where = $"column '{c.Name}'";
            if (!seen.Add(c.Name))
            {
                problems.Add($"{where} is listed twice");
                continue;
            }

            if (string.IsNullOrWhiteSpace(c.Role))
            {
                problems.Add($"{where} has no 'role' (expected one of: {string.Join(", ", RoleNames)})");
                continue;
            }

            var roleIndex = Array.IndexOf(RoleNames, c.Role);
            if (roleIndex < 0)
            {
                problems.Add($"{where} has unknown role '{c.Role}' (expected one of: {string.Join(", ", RoleNames)})");
                continue;
            }

            var role = (ColumnRole)roleIndex;
            CheckColumn(where, role, c, problems);
            CheckTexts(where, role, c, problems);
            columns.Add(new DatasetColumn
            {
                Name = c.Name,
                Role = role,
                Description = c.Description,
                Min = c.Min,
                Max = c.Max,
                WholeNumber = c.WholeNumber ?? false,
                Codes = c.Codes?.ToArray(),
                ReasonText = c.ReasonText,
                Label = c.Label,
                Unit = c.Unit,
                CodeLabels = c.CodeLabels?.ToDictionary(p => p.Key, p => p.Value ?? string.Empty, StringComparer.Ordinal),
                ApplicantText = c.ApplicantText,
                ApplicantTextHigh = c.ApplicantTextHigh,
                ApplicantTextLow = c.ApplicantTextLow,
                Bad = c.Bad,
                Good = c.Good,
            });
        }

        return columns;
    }

    private static void CheckColumn(string where, ColumnRole role, ColumnDocument c, List<string> problems)
    {
        switch (role)
        {
            case ColumnRole.Numeric:
                if (c.Min is null || c.Max is null)
                {
                    problems.Add($"{where} (numeric) needs both 'min' and 'max': they become the request validation range on the device");
                }
                else if (!double.IsFinite(c.Min.Value) || !double.IsFinite(c.Max.Value) || c.Min > c.Max)
                {
                    problems.Add($"{where} (numeric): 'min' {c.Min} must be finite and not above 'max' {c.Max}");
                }

                if (c.Codes is not null)
                {
                    problems.Add($"{where} is numeric but lists 'codes'; use role 'categorical' for coded values");
                }

                break;
            case ColumnRole.Categorical:
                if (c.Codes is null || c.Codes.Count == 0)
                {
                    problems.Add($"{where} (categorical) has no 'codes'; list every allowed code as a string");
                }
                else
                {
                    var duplicate = c.Codes.GroupBy(x => x, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
                    if (duplicate is not null)
                    {
                        problems.Add($"{where} (categorical) lists code '{duplicate.Key}' more than once");
                    }

                    if (c.Codes.Any(string.IsNullOrWhiteSpace))
                    {
                        problems.Add($"{where} (categorical) has an empty code");
                    }
                }

                if (c.Min is not null || c.Max is not null || c.WholeNumber is not null)
                {
                    problems.Add($"{where} is categorical; 'min', 'max' and 'wholeNumber' apply to numeric columns only");
                }

                break;
            case ColumnRole.Label:
                if (string.IsNullOrWhiteSpace(c.Bad) || string.IsNullOrWhiteSpace(c.Good))
                {
                    problems.Add($"{where} (label) needs 'bad' (the value meaning default) and 'good'");
                }
                else if (string.Equals(c.Bad, c.Good, StringComparison.Ordinal))
                {
                    problems.Add($"{where} (label): 'bad' and 'good' are both '{c.Bad}'");
                }

                break;
            default:
                if (c.Codes is not null || c.Min is not null || c.Max is not null)
                {
                    problems.Add($"{where} has role '{RoleNames[(int)role]}', which takes no 'codes', 'min' or 'max'");
                }

                break;
        }
    }

    /// <summary>The texts for people: <c>label</c>, <c>unit</c>, <c>codeLabels</c>, <c>reasonText</c> and the applicant texts.</summary>
    private static void CheckTexts(string where, ColumnRole role, ColumnDocument c, List<string> problems)
    {
        var input = role is ColumnRole.Numeric or ColumnRole.Categorical;
        var given = new (string Field, string? Value, int Max)[]
        {
            ("label", c.Label, DisplayText.MaxLabelLength),
            ("unit", c.Unit, DisplayText.MaxUnitLength),
            ("reasonText", c.ReasonText, DisplayText.MaxReasonTextLength),
            ("applicantText", c.ApplicantText, DisplayText.MaxReasonTextLength),
            ("applicantTextHigh", c.ApplicantTextHigh, DisplayText.MaxReasonTextLength),
            ("applicantTextLow", c.ApplicantTextLow, DisplayText.MaxReasonTextLength),
        };
        foreach (var (field, value, max) in given)
        {
            if (value is null)
            {
                continue;
            }

            if (!input)
            {
                problems.Add($"{where} has role '{RoleNames[(int)role]}', which takes no '{field}' (texts are for model inputs)");
            }
            else if (DisplayText.Problem(value, max) is { } problem)
            {
                problems.Add($"{where}: '{field}' {problem}");
            }
        }

        if (!input)
        {
            if (c.CodeLabels is not null)
            {
                problems.Add($"{where} has role '{RoleNames[(int)role]}', which takes no 'codeLabels' (texts are for model inputs)");
            }

            return;
        }

        if (role == ColumnRole.Categorical)
        {
            if (c.Unit is not null)
            {
                problems.Add($"{where} is categorical; 'unit' applies to numeric columns only");
            }

            if (c.ApplicantTextHigh is not null || c.ApplicantTextLow is not null)
            {
                problems.Add($"{where} is categorical; 'applicantTextHigh' and 'applicantTextLow' apply to numeric columns only (a code has no above or below)");
            }
        }

        if (c.CodeLabels is { } codeLabels)
        {
            if (role != ColumnRole.Categorical)
            {
                problems.Add($"{where} is numeric; 'codeLabels' apply to categorical columns only");
                return;
            }

            foreach (var (code, meaning) in codeLabels)
            {
                if (c.Codes is null || !c.Codes.Contains(code, StringComparer.Ordinal))
                {
                    problems.Add($"{where}: 'codeLabels' names code '{code}', which is not among its 'codes'");
                }
                else if (DisplayText.Problem(meaning, DisplayText.MaxCodeLabelLength) is { } problem)
                {
                    problems.Add($"{where}: 'codeLabels' of code '{code}' {problem}");
                }
            }
        }
    }

    private static char? ReadDelimiter(string? delimiter, List<string> problems)
    {
        if (delimiter is null)
        {
            return ',';
        }

        if (string.Equals(delimiter, "whitespace", StringComparison.Ordinal))
        {
            return null;
        }

        if (delimiter.Length != 1)
        {
            problems.Add($"'delimiter' is '{delimiter}'; it must be one character (e.g. \",\") or \"whitespace\"");
            return ',';
        }

        return delimiter[0];
    }

    private static SplitRule? ReadSplit(SplitDocument? split, List<DatasetColumn> columns, List<string> problems)
    {
        if (split is null)
        {
            problems.Add("'split' is missing; name the agreed train/test split, e.g. {\"rule\": \"identifierModulo\", \"modulus\": 5, \"remainder\": 0}");
            return null;
        }

        SplitKind kind;
        switch (split.Rule)
        {
            case "identifierModulo":
                kind = SplitKind.IdentifierModulo;
                if (!columns.Any(c => c.Role == ColumnRole.Identifier))
                {
                    problems.Add("'split.rule' is 'identifierModulo' but no column has role 'identifier'");
                }

                break;
            case "rowIndexModulo":
                kind = SplitKind.RowIndexModulo;
                break;
            default:
                problems.Add($"'split.rule' is '{split.Rule}'; expected 'identifierModulo' or 'rowIndexModulo'");
                return null;
        }

        if (split.Modulus is not { } modulus || modulus < 2)
        {
            problems.Add("'split.modulus' must be an integer of at least 2");
            return null;
        }

        var remainder = split.Remainder ?? 0;
        if (remainder < 0 || remainder >= modulus)
        {
            problems.Add($"'split.remainder' must be between 0 and {modulus - 1}");
            return null;
        }

        return new SplitRule(kind, modulus, remainder);
    }

    private static void CheckAsFeatureSchema(List<DatasetColumn> columns, List<string> problems)
    {
        var schema = new DatasetSchema("check", null, null, ',', true, columns, new SplitRule(SplitKind.RowIndexModulo, 2, 0));
        try
        {
            _ = new FeatureSchema(schema.ToFeatureDefinitions(), schema.ToNonInputFields());
        }
        catch (InvalidSchemaException ex)
        {
            problems.AddRange(ex.Problems);
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
