using System.Globalization;
using System.Text;

namespace CreditEdge.Core.Schema;

/// <summary>
/// The rules for text a person reads on a kiosk or in a letter (feature labels, units, code meanings, applicant reason
/// texts): not blank, no leading or trailing spaces, within a length limit, printable only — no control, format or
/// private-use characters, no line breaks, no unpaired surrogates. One place for the schema reader and the manifest check.
/// </summary>
public static class DisplayText
{
    /// <summary>Longest feature label (a form field's caption).</summary>
    public const int MaxLabelLength = 60;

    /// <summary>Longest unit, e.g. <c>NT$</c> or <c>months</c>.</summary>
    public const int MaxUnitLength = 24;

    /// <summary>Longest meaning of one categorical code (a dropdown entry).</summary>
    public const int MaxCodeLabelLength = 80;

    /// <summary>Longest applicant-facing reason text.</summary>
    public const int MaxReasonTextLength = 200;

    /// <summary>What is wrong with <paramref name="value"/> as display text, or null when it is fine.</summary>
    public static string? Problem(string? value, int maxLength)
    {
        if (value is null)
        {
            return "is null";
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return "is empty";
        }

        if (value.Length > maxLength)
        {
            return $"is {value.Length} characters long; at most {maxLength} are allowed";
        }

        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            return "starts or ends with white space";
        }

        var index = 0;
        foreach (var status in Runes(value))
        {
            if (status is not { } rune)
            {
                return $"has an unpaired surrogate at position {index + 1}";
            }

            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                or UnicodeCategory.Surrogate)
            {
                return $"has a non-printable character U+{rune.Value:X4} at position {index + 1}";
            }

            index += rune.Utf16SequenceLength;
        }

        return null;
    }

    private static IEnumerable<Rune?> Runes(string value)
    {
        var i = 0;
        while (i < value.Length)
        {
            if (Rune.DecodeFromUtf16(value.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                yield return null;
                yield break;
            }

            yield return rune;
            i += consumed;
        }
    }
}
