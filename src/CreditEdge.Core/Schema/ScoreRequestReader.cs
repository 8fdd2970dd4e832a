using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CreditEdge.Core.Schema;

/// <summary>
/// Reads a score request (<c>{"applicationId": "...", "features": {"NAME": value, ...}}</c>) straight from UTF-8
/// into the model's input row, collecting every problem rather than stopping at the first.
/// </summary>
public static class ScoreRequestReader
{
    /// <summary>Longest application id accepted.</summary>
    public const int MaxApplicationIdLength = 128;

    private const int MaxValueEcho = 64;
    private const byte NotGiven = 0;
    private const byte GivenNull = 1;
    private const byte GivenValue = 2;

    /// <summary>
    /// Parses <paramref name="utf8Json"/> into <paramref name="row"/> (length = schema count).
    /// Returns false when <paramref name="problems"/> got at least one entry; the row is then meaningless.
    /// </summary>
    public static bool TryRead(
        ReadOnlySpan<byte> utf8Json,
        FeatureSchema schema,
        Span<float> row,
        out string? applicationId,
        List<ValidationProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(problems);
        if (row.Length != schema.Count)
        {
            throw new ArgumentException($"row has {row.Length} slots; the schema has {schema.Count} features", nameof(row));
        }

        applicationId = null;
        var before = problems.Count;
        // per feature: NotGiven, GivenNull or GivenValue
        var seenRent = schema.Count <= 256 ? null : ArrayPool<byte>.Shared.Rent(schema.Count);
        Span<byte> seen = seenRent is null ? stackalloc byte[schema.Count] : seenRent.AsSpan(0, schema.Count);
        seen.Clear();
        var sawFeatures = false;

        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problems.Add(new ValidationProblem("body", null, ValidationRules.Json, "the body must be a JSON object"));
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (NameIs(ref reader, "features"u8))
                {
                    reader.Read();
                    if (sawFeatures)
                    {
                        problems.Add(new ValidationProblem("features", null, ValidationRules.Duplicate, "'features' is given twice"));
                        reader.Skip();
                        continue;
                    }

                    sawFeatures = true;
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        problems.Add(new ValidationProblem("features", Echo(ref reader), ValidationRules.Type, "'features' must be a JSON object of feature name to value"));
                        reader.Skip();
                        continue;
                    }

                    ReadFeatures(ref reader, schema, row, seen, problems);
                }
                else if (NameIs(ref reader, "applicationId"u8))
                {
                    reader.Read();
                    applicationId = ReadApplicationId(ref reader, problems);
                }
                else
                {
                    var name = GetText(ref reader);
                    reader.Read();
                    problems.Add(new ValidationProblem(name, Echo(ref reader), ValidationRules.UnknownField,
                        $"'{name}' is not a request field; expected 'applicationId' and 'features'"));
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                problems.Add(new ValidationProblem("body", null, ValidationRules.Json, "the body must hold exactly one JSON object"));
            }
        }
        catch (JsonException ex)
        {
            problems.Add(new ValidationProblem("body", null, ValidationRules.Json, $"the body is not valid JSON: {FirstLine(ex.Message)}"));
            return Release(seenRent, false);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is DecoderFallbackException)
        {
            problems.Add(new ValidationProblem("body", null, ValidationRules.Json, "the body is not valid UTF-8"));
            return Release(seenRent, false);
        }

        if (!sawFeatures)
        {
            problems.Add(new ValidationProblem("features", null, ValidationRules.Required, "'features' is required"));
            return Release(seenRent, false);
        }

        FillMissing(schema, row, seen, problems);
        return Release(seenRent, problems.Count == before);
    }

    /// <summary>
    /// The current string token's text. An escape that is no Unicode text (a lone UTF-16 surrogate such as <c>\ud800</c>)
    /// is valid JSON syntax that no string can hold: it is reported like any other malformed body, never thrown as a 500.
    /// </summary>
    private static string GetText(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException ex) when (reader.ValueIsEscaped && ex.InnerException is null)
        {
            throw NotUnicode(ex);
        }
    }

    /// <summary><c>reader.ValueTextEquals(name)</c>, with the same treatment of escapes that are no Unicode text as <see cref="GetText"/>.</summary>
    private static bool NameIs(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        try
        {
            return reader.ValueTextEquals(name);
        }
        catch (InvalidOperationException ex) when (reader.ValueIsEscaped && ex.InnerException is null)
        {
            throw NotUnicode(ex);
        }
    }

    private static JsonException NotUnicode(InvalidOperationException ex) =>
        new("a string holds an escape that is not Unicode text (a lone UTF-16 surrogate such as \\ud800)", ex);

    private static bool Release(byte[]? rented, bool result)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return result;
    }

    private static void ReadFeatures(ref Utf8JsonReader reader, FeatureSchema schema, scoped Span<float> row, scoped Span<byte> seen, List<ValidationProblem> problems)
    {
        Span<char> nameBuffer = stackalloc char[128];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameLength = reader.HasValueSequence || reader.ValueSpan.Length > nameBuffer.Length || reader.ValueIsEscaped
                ? -1
                : Encoding.UTF8.GetChars(reader.ValueSpan, nameBuffer);
            var name = nameLength >= 0 ? nameBuffer[..nameLength] : GetText(ref reader).AsSpan();
            var index = schema.IndexOf(name);
            reader.Read();

            if (index < 0)
            {
                if (!schema.IsNonInput(name))
                {
                    var text = name.ToString();
                    problems.Add(new ValidationProblem($"features.{text}", Echo(ref reader), ValidationRules.UnknownField,
                        $"'{text}' is not a feature of the active model"));
                }

                reader.Skip();
                continue;
            }

            var feature = schema.Features[index];
            if (seen[index] != NotGiven)
            {
                seen[index] = GivenValue; // reported as a duplicate; not also as missing
                problems.Add(new ValidationProblem($"features.{feature.Name}", Echo(ref reader), ValidationRules.Duplicate,
                    $"'{feature.Name}' is given more than once"));
                reader.Skip();
                continue;
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                seen[index] = GivenNull; // null means "no value": the missing-value rules apply
                continue;
            }

            seen[index] = GivenValue;

            if (feature.Kind == FeatureKind.Numeric)
            {
                ReadNumeric(ref reader, feature, ref row[index], problems);
            }
            else
            {
                ReadCategorical(ref reader, feature, ref row[index], problems);
            }
        }
    }

    // built only for a problem: a valid request allocates no field names
    private static string FieldOf(FeatureDefinition feature) => $"features.{feature.Name}";

    private static void ReadNumeric(ref Utf8JsonReader reader, FeatureDefinition feature, ref float slot, List<ValidationProblem> problems)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = GetText(ref reader);
            var rule = IsNonFiniteWord(text) ? ValidationRules.Finite : ValidationRules.Type;
            problems.Add(new ValidationProblem(FieldOf(feature), text, rule, rule == ValidationRules.Finite
                ? $"'{feature.Name}' must be a finite number, not {text}"
                : $"'{feature.Name}' must be a JSON number, not a string"));
            return;
        }

        if (reader.TokenType != JsonTokenType.Number)
        {
            problems.Add(new ValidationProblem(FieldOf(feature), Echo(ref reader), ValidationRules.Type, $"'{feature.Name}' must be a JSON number"));
            reader.Skip();
            return;
        }

        if (!reader.TryGetDouble(out var value) || !double.IsFinite(value) || !float.IsFinite((float)value))
        {
            problems.Add(new ValidationProblem(FieldOf(feature), Echo(ref reader), ValidationRules.Finite, $"'{feature.Name}' must be a finite number within float range"));
            return;
        }

        if (feature.WholeNumber && value != Math.Floor(value))
        {
            problems.Add(new ValidationProblem(FieldOf(feature), Echo(ref reader), ValidationRules.WholeNumber, $"'{feature.Name}' must be a whole number"));
            return;
        }

        if ((feature.Min is { } min && value < min) || (feature.Max is { } max && value > max))
        {
            problems.Add(new ValidationProblem(FieldOf(feature), Echo(ref reader), ValidationRules.Range,
                $"'{feature.Name}' must be between {Show(feature.Min)} and {Show(feature.Max)}"));
            return;
        }

        slot = (float)value;
    }

    private static void ReadCategorical(ref Utf8JsonReader reader, FeatureDefinition feature, ref float slot, List<ValidationProblem> problems)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number))
        {
            problems.Add(new ValidationProblem(FieldOf(feature), Echo(ref reader), ValidationRules.Type,
                $"'{feature.Name}' must be one of its codes, as a string or a number"));
            reader.Skip();
            return;
        }

        Span<char> codeBuffer = stackalloc char[64];
        var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        var index = -1;
        if (!reader.ValueIsEscaped && raw.Length <= codeBuffer.Length)
        {
            var length = Encoding.UTF8.GetChars(raw, codeBuffer);
            index = feature.IndexOfCode(codeBuffer[..length]);
        }
        else if (reader.TokenType == JsonTokenType.String)
        {
            index = feature.IndexOfCode(GetText(ref reader));
        }

        if (index < 0)
        {
            problems.Add(new ValidationProblem(FieldOf(feature), Echo(ref reader), ValidationRules.Code,
                $"'{feature.Name}' must be one of: {string.Join(", ", feature.Codes!)}"));
            return;
        }

        slot = index;
    }

    private static string? ReadApplicationId(ref Utf8JsonReader reader, List<ValidationProblem> problems)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            problems.Add(new ValidationProblem("applicationId", Echo(ref reader), ValidationRules.Type, "'applicationId' must be a string"));
            reader.Skip();
            return null;
        }

        var id = GetText(ref reader);
        if (id.Length > MaxApplicationIdLength)
        {
            problems.Add(new ValidationProblem("applicationId", Truncate(id), ValidationRules.Length,
                $"'applicationId' must be at most {MaxApplicationIdLength} characters; it has {id.Length}"));
            return null;
        }

        return id;
    }

    private static void FillMissing(FeatureSchema schema, Span<float> row, ReadOnlySpan<byte> seen, List<ValidationProblem> problems)
    {
        for (var i = 0; i < seen.Length; i++)
        {
            if (seen[i] == GivenValue)
            {
                continue;
            }

            var feature = schema.Features[i];
            if (feature.Required)
            {
                problems.Add(new ValidationProblem($"features.{feature.Name}", null, ValidationRules.Required,
                    $"'{feature.Name}' is required"));
            }
            else
            {
                row[i] = schema.MissingValues[i];
            }
        }
    }

    private static string? Echo(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return Truncate(GetText(ref reader));
            case JsonTokenType.Number:
                return Truncate(Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan));
            case JsonTokenType.True:
                return "true";
            case JsonTokenType.False:
                return "false";
            case JsonTokenType.Null:
                return "null";
            case JsonTokenType.StartObject:
                return "{…}";
            case JsonTokenType.StartArray:
                return "[…]";
            default:
                return null;
        }
    }

    private static bool IsNonFiniteWord(string text) =>
        text.Trim().TrimStart('+', '-') is { } t
        && (t.Equals("NaN", StringComparison.OrdinalIgnoreCase)
            || t.Equals("Infinity", StringComparison.OrdinalIgnoreCase)
            || t.Equals("Inf", StringComparison.OrdinalIgnoreCase));

    private static string Truncate(string value) => value.Length <= MaxValueEcho ? value : string.Concat(value.AsSpan(0, MaxValueEcho), "…");

    private static string Show(double? bound) => bound is { } b ? b.ToString(CultureInfo.InvariantCulture) : "unbounded";

    private static string FirstLine(string message)
    {
        var end = message.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? message : message[..end].TrimEnd();
    }
}
