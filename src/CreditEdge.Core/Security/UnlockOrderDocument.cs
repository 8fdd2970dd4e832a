using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CreditEdge.Core.Packages.Rollout;

namespace CreditEdge.Core.Security;

/// <summary>
/// The signed document of an <see cref="UnlockOrder"/>, as <see cref="UnlockOrderJson"/> writes it:
/// <c>{"format":"creditedge.unlock-order/1","deviceId":…,"issuedAt":"yyyy-MM-ddTHH:mm:ss.fffffffZ","operator":…,"reason":…}</c>.
/// <c>format</c> keeps a document signed for another purpose with the same keys from ever reading as an unlock order.
/// </summary>
internal sealed record UnlockOrderDocument(
    string Format,
    string DeviceId,
    [property: JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset IssuedAt,
    string Operator,
    string Reason)
{
    public static byte[] Write(UnlockOrder order) =>
        JsonSerializer.SerializeToUtf8Bytes(new UnlockOrderDocument(UnlockOrder.CurrentFormat, order.DeviceId, order.IssuedAt, order.Operator, order.Reason),
            UnlockOrderJson.Default.UnlockOrderDocument);

    /// <summary>The order in a verified document, or <c>unlock-format</c> naming what is wrong.</summary>
    public static UnlockOrder Parse(ReadOnlySpan<byte> json)
    {
        UnlockOrderDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, UnlockOrderJson.Default.UnlockOrderDocument);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException or NotSupportedException)
        {
            throw Bad($"the signed payload is not an unlock order: {Describe(ex)}", ex);
        }

        if (document is null)
        {
            throw Bad("the signed payload is not an unlock order: it is null");
        }

        if (document.Format != UnlockOrder.CurrentFormat)
        {
            throw Bad($"format is '{Printable(document.Format)}'; expected '{UnlockOrder.CurrentFormat}'");
        }

        var order = new UnlockOrder(document.DeviceId, document.IssuedAt, document.Operator, document.Reason);
        Validate(order);
        return order;
    }

    /// <summary>Every rule an order must meet, signed or read; throws <c>unlock-format</c> naming the field, its value and the rule it breaks.</summary>
    public static void Validate(UnlockOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!DesiredTarget.IsValidName(order.DeviceId))
        {
            throw Bad($"deviceId '{Printable(order.DeviceId ?? "")}' is not 1-64 letters, digits, '.', '_' or '-' starting with a letter or digit");
        }

        if (!UnlockOrder.IsValidOperator(order.Operator))
        {
            throw Bad($"operator '{Printable(order.Operator ?? "")}' is not 1-{UnlockOrder.MaxOperatorLength} printable characters (not only spaces)");
        }

        if (order.Reason is null)
        {
            throw Bad("reason is missing; an empty reason is \"\"");
        }

        if (!UnlockOrder.IsValidReason(order.Reason))
        {
            throw Bad(order.Reason.Length > UnlockOrder.MaxReasonLength
                ? $"reason has {order.Reason.Length} characters; at most {UnlockOrder.MaxReasonLength}"
                : $"reason '{Printable(order.Reason)}' has characters that are not printable (control, formatting, separators or unassigned)");
        }
    }

    /// <summary>
    /// The serializer's reason, with the JSON path where it does not give it and without this type's .NET name, on one
    /// line: it quotes property names from the document, so control characters are escaped.
    /// </summary>
    private static string Describe(Exception ex)
    {
        var text = ex.Message.Replace(typeof(UnlockOrderDocument).FullName!, "the unlock order", StringComparison.Ordinal);
        if (ex is JsonException { Path: { Length: > 1 } path } && !text.Contains("Path:", StringComparison.Ordinal))
        {
            text = $"{text} (at {path})";
        }

        return string.Concat(text.ReplaceLineEndings(" ").Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }

    private static UnlockOrderException Bad(string problem) => new(UnlockOrderChecks.Format, problem);

    private static UnlockOrderException Bad(string problem, Exception cause) => new(UnlockOrderChecks.Format, problem, cause);

    /// <summary>At most 80 characters of <paramref name="text"/>, anything not printable escaped, for a one-line message.</summary>
    private static string Printable(string text)
    {
        var shown = text.Length > 80 ? text[..80] + "…" : text;
        return string.Concat(shown.Select(c => char.IsControl(c) || char.IsSurrogate(c)
            || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                ? $"\\u{(int)c:x4}"
                : c.ToString()));
    }
}
