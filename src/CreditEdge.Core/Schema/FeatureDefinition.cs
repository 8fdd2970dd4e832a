using System.Text.Json.Serialization;

namespace CreditEdge.Core.Schema;

/// <summary>One model input, in manifest order.</summary>
public sealed record FeatureDefinition
{
    /// <summary>The column name in the training data, e.g. <c>CREDIT_LIMIT</c>.</summary>
    public required string Name { get; init; }

    public required FeatureKind Kind { get; init; }

    /// <summary>Plain-language meaning, shown in reports and the model card.</summary>
    public string? Description { get; init; }

    /// <summary>What a person at the counter reads for this field, e.g. <c>Credit limit</c> (kiosk form, reasons). Optional.</summary>
    public string? Label { get; init; }

    /// <summary>Numeric only: the unit the value is given in, e.g. <c>NT$</c> or <c>years</c>. Optional.</summary>
    public string? Unit { get; init; }

    /// <summary>Categorical only: what each code means to a person, e.g. <c>"1": "Graduate school"</c>. Optional; codes without one show as they are.</summary>
    public IReadOnlyDictionary<string, string>? CodeLabels { get; init; }

    /// <summary>Smallest allowed value (numeric only, inclusive).</summary>
    public double? Min { get; init; }

    /// <summary>Largest allowed value (numeric only, inclusive).</summary>
    public double? Max { get; init; }

    /// <summary>Numeric only: the value must be a whole number.</summary>
    public bool WholeNumber { get; init; }

    /// <summary>When false the field may be left out; the model then sees <see cref="Default"/>.</summary>
    public bool Required { get; init; } = true;

    /// <summary>
    /// What a missing optional value becomes: a number for numeric features, a code (as text) for categorical ones.
    /// </summary>
    public string? Default { get; init; }

    /// <summary>Categorical only: the allowed codes; the model sees a code's index in this list.</summary>
    public IReadOnlyList<string>? Codes { get; init; }

    /// <summary>The value the model sees when the field is missing (numeric value or code index).</summary>
    [JsonIgnore]
    public float MissingValue => Kind == FeatureKind.Numeric
        ? (float.TryParse(Default, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : 0f)
        : IndexOfCode(Default ?? string.Empty);

    /// <summary>Index of a code in <see cref="Codes"/>, or -1.</summary>
    public int IndexOfCode(ReadOnlySpan<char> code)
    {
        if (Codes is null)
        {
            return -1;
        }

        for (var i = 0; i < Codes.Count; i++)
        {
            if (code.SequenceEqual(Codes[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
