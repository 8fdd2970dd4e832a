using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditEdge.Core.Security;

/// <summary>
/// A time in signed documents: UTC as <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c> (the desired model's <c>issuedAt</c> format), so
/// the same instant always gives the same bytes. Reading accepts exactly that form: no other offset, no local time.
/// </summary>
internal sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"a time is a string, not {reader.TokenType}");
        }

        var text = reader.GetString()!;
        return DateTime.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value)
            ? new DateTimeOffset(value, TimeSpan.Zero)
            : throw new JsonException($"'{(text.Length > 40 ? text[..40] + "…" : text)}' is not a UTC time as {Format}");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
    }
}
