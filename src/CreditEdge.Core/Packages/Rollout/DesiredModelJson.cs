using System.Globalization;
using System.Text.Json;

namespace CreditEdge.Core.Packages.Rollout;

/// <summary>
/// The signed document of a <see cref="DesiredModel"/>: canonical UTF-8 JSON, no whitespace, properties in a fixed order,
/// hashes lower-case hex, <c>issuedAt</c> as <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c>, durations as <c>[d.]hh:mm:ss[.fffffff]</c>.
/// Parsing is strict: every field present exactly once, none unknown, each of its JSON type, every rule of
/// <see cref="Validate"/> met; anything else is <c>desired-format</c>.
/// </summary>
internal static class DesiredModelJson
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";
    private const int MaxDecisions = 1_000_000;
    private const int MaxTextLength = 128;
    private static readonly TimeSpan MaxShadowDuration = TimeSpan.FromDays(30);
    private static readonly TimeSpan MaxProbationDuration = TimeSpan.FromDays(90);

    public static byte[] Write(DesiredModel model)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", DesiredModel.CurrentFormat);
            writer.WriteStartObject("target");
            writer.WriteString(model.Target.Kind == DesiredTargetKind.Group ? "group" : "device", model.Target.Name);
            writer.WriteEndObject();
            writer.WriteNumber("sequence", model.Sequence);
            writer.WriteString("issuedAt", model.IssuedAt.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture));
            var p = model.Package;
            writer.WriteStartObject("package");
            writer.WriteString("id", p.Id);
            writer.WriteString("version", p.Version);
            writer.WriteNumber("sequence", p.Sequence);
            writer.WriteString("sha256", p.Sha256);
            writer.WriteNumber("size", p.Size);
            writer.WriteNumber("chunkSize", p.ChunkSize);
            writer.WriteStartArray("chunks");
            foreach (var chunk in p.Chunks)
            {
                writer.WriteStringValue(chunk);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteBoolean("allowSchemaChange", model.AllowSchemaChange);
            if (model.Shadow is { } s)
            {
                writer.WriteStartObject("shadow");
                writer.WriteNumber("decisions", s.Decisions);
                writer.WriteString("maxDuration", s.MaxDuration.ToString("c", CultureInfo.InvariantCulture));
                writer.WriteNumber("minOutcomeAgreement", s.MinOutcomeAgreement);
                writer.WriteNumber("minScoreCorrelation", s.MinScoreCorrelation);
                writer.WriteNumber("maxLatencyRatio", s.MaxLatencyRatio);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("shadow");
            }

            if (model.Probation is { } b)
            {
                writer.WriteStartObject("probation");
                writer.WriteNumber("decisions", b.Decisions);
                writer.WriteString("duration", b.Duration.ToString("c", CultureInfo.InvariantCulture));
                writer.WriteNumber("maxScorePsi", b.MaxScorePsi);
                writer.WriteNumber("maxErrorRate", b.MaxErrorRate);
                writer.WriteNumber("maxLatencyRatio", b.MaxLatencyRatio);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("probation");
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static DesiredModel Parse(ReadOnlySpan<byte> payload)
    {
        DesiredModel model;
        try
        {
            using var document = JsonDocument.Parse(payload.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
            var root = Fields(document.RootElement, "the document", "format", "target", "sequence", "issuedAt", "package", "allowSchemaChange", "shadow", "probation");
            var format = Text(root, "format");
            if (format != DesiredModel.CurrentFormat)
            {
                throw Bad($"format is '{Printable(format)}'; expected '{DesiredModel.CurrentFormat}'");
            }

            model = new DesiredModel(
                Target(root["target"]),
                Long(root, "sequence"),
                IssuedAt(Text(root, "issuedAt")),
                Package(root["package"]),
                Bool(root, "allowSchemaChange"),
                root["shadow"].ValueKind == JsonValueKind.Null ? null : Shadow(root["shadow"]),
                root["probation"].ValueKind == JsonValueKind.Null ? null : Probation(root["probation"]));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new DesiredModelException(DesiredModelChecks.Format, $"the signed payload is not a desired-model document: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }

        Validate(model);
        return model;
    }

    /// <summary>Every rule a desired model must meet, signed or read; throws <c>desired-format</c> naming the first it breaks.</summary>
    public static void Validate(DesiredModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Require(model.Target is not null, "target is missing");
        Require(Enum.IsDefined(model.Target!.Kind), $"target kind {model.Target.Kind} is unknown");
        Require(DesiredTarget.IsValidName(model.Target.Name),
            $"target {model.Target.Kind.ToString().ToLowerInvariant()} '{Printable(model.Target.Name ?? "")}' is not 1-64 letters, digits, '.', '_' or '-'");
        Require(model.Sequence > 0, $"sequence {model.Sequence} is not positive");
        var p = model.Package;
        Require(p is not null, "package is missing");
        Require(IsText(p!.Id), $"package.id '{Printable(p.Id ?? "")}' is empty, longer than {MaxTextLength} or has control characters");
        Require(IsText(p.Version), $"package.version '{Printable(p.Version ?? "")}' is empty, longer than {MaxTextLength} or has control characters");
        Require(p.Sequence >= 0, $"package.sequence {p.Sequence} is negative");
        Require(IsSha256(p.Sha256), "package.sha256 is not 64 lower-case hex characters");
        Require(p.Size is > 0 and <= DesiredModel.MaxArchiveBytes, $"package.size {p.Size} is not within 1…{DesiredModel.MaxArchiveBytes}");
        Require(p.ChunkSize is >= PackageChunks.MinChunkSize and <= PackageChunks.MaxChunkSize,
            $"package.chunkSize {p.ChunkSize} is not within {PackageChunks.MinChunkSize}…{PackageChunks.MaxChunkSize}");
        Require(p.Chunks is not null, "package.chunks is missing");
        var expected = PackageChunks.Count(p.Size, p.ChunkSize);
        Require(p.Chunks!.Count == expected, $"package.chunks has {p.Chunks.Count} hashes; {p.Size} bytes in chunks of {p.ChunkSize} make {expected}");
        for (var i = 0; i < p.Chunks.Count; i++)
        {
            Require(IsSha256(p.Chunks[i]), $"package.chunks[{i}] is not 64 lower-case hex characters");
        }

        if (model.Shadow is { } s)
        {
            Require(s.Decisions is > 0 and <= MaxDecisions, $"shadow.decisions {s.Decisions} is not within 1…{MaxDecisions}");
            Require(s.MaxDuration > TimeSpan.Zero && s.MaxDuration <= MaxShadowDuration, $"shadow.maxDuration {s.MaxDuration:c} is not within 0…{MaxShadowDuration:c}");
            Require(s.MinOutcomeAgreement is >= 0 and <= 1, $"shadow.minOutcomeAgreement {s.MinOutcomeAgreement} is not within 0…1");
            Require(s.MinScoreCorrelation is >= -1 and <= 1, $"shadow.minScoreCorrelation {s.MinScoreCorrelation} is not within -1…1");
            Require(s.MaxLatencyRatio is >= 1 and <= 100, $"shadow.maxLatencyRatio {s.MaxLatencyRatio} is not within 1…100");
        }

        if (model.Probation is { } b)
        {
            Require(b.Decisions is > 0 and <= MaxDecisions, $"probation.decisions {b.Decisions} is not within 1…{MaxDecisions}");
            Require(b.Duration > TimeSpan.Zero && b.Duration <= MaxProbationDuration, $"probation.duration {b.Duration:c} is not within 0…{MaxProbationDuration:c}");
            Require(b.MaxScorePsi is >= 0 and <= 10, $"probation.maxScorePsi {b.MaxScorePsi} is not within 0…10");
            Require(b.MaxErrorRate is >= 0 and <= 1, $"probation.maxErrorRate {b.MaxErrorRate} is not within 0…1");
            Require(b.MaxLatencyRatio is >= 1 and <= 100, $"probation.maxLatencyRatio {b.MaxLatencyRatio} is not within 1…100");
        }
    }

    private static DesiredTarget Target(JsonElement element)
    {
        var fields = Fields(element, "target", ["group", "device"], optional: true);
        Require(fields.Count == 1, "target must name exactly one of group or device");
        var (name, _) = fields.Single();
        return new DesiredTarget(name == "group" ? DesiredTargetKind.Group : DesiredTargetKind.Device, Text(fields, name));
    }

    private static DesiredPackage Package(JsonElement element)
    {
        var fields = Fields(element, "package", "id", "version", "sequence", "sha256", "size", "chunkSize", "chunks");
        var chunks = fields["chunks"];
        if (chunks.ValueKind != JsonValueKind.Array)
        {
            throw Bad($"package.chunks is {chunks.ValueKind}; an array of hex strings is expected");
        }

        var hashes = new List<string>(chunks.GetArrayLength());
        foreach (var chunk in chunks.EnumerateArray())
        {
            hashes.Add(chunk.ValueKind == JsonValueKind.String ? chunk.GetString()! : throw Bad($"package.chunks[{hashes.Count}] is {chunk.ValueKind}; a hex string is expected"));
        }

        return new DesiredPackage(Text(fields, "id"), Text(fields, "version"), Long(fields, "sequence"), Text(fields, "sha256"), Long(fields, "size"),
            Int(fields, "chunkSize"), hashes);
    }

    private static ShadowCriteria Shadow(JsonElement element)
    {
        var f = Fields(element, "shadow", "decisions", "maxDuration", "minOutcomeAgreement", "minScoreCorrelation", "maxLatencyRatio");
        return new ShadowCriteria(Int(f, "decisions"), Duration(f, "maxDuration"), Double(f, "minOutcomeAgreement"), Double(f, "minScoreCorrelation"), Double(f, "maxLatencyRatio"));
    }

    private static ProbationCriteria Probation(JsonElement element)
    {
        var f = Fields(element, "probation", "decisions", "duration", "maxScorePsi", "maxErrorRate", "maxLatencyRatio");
        return new ProbationCriteria(Int(f, "decisions"), Duration(f, "duration"), Double(f, "maxScorePsi"), Double(f, "maxErrorRate"), Double(f, "maxLatencyRatio"));
    }

    private static Dictionary<string, JsonElement> Fields(JsonElement element, string what, params string[] names) => Fields(element, what, names, optional: false);

    /// <summary>The properties of an object, each named once and known; all of <paramref name="names"/> unless <paramref name="optional"/>.</summary>
    private static Dictionary<string, JsonElement> Fields(JsonElement element, string what, string[] names, bool optional)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Bad($"{what} is {element.ValueKind}; an object is expected");
        }

        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!names.Contains(property.Name, StringComparer.Ordinal))
            {
                throw Bad($"{what} has an unknown field '{Printable(property.Name)}'");
            }

            if (!fields.TryAdd(property.Name, property.Value))
            {
                throw Bad($"{what} has '{property.Name}' twice");
            }
        }

        if (!optional && names.FirstOrDefault(n => !fields.ContainsKey(n)) is { } missing)
        {
            throw Bad($"{what} has no '{missing}'");
        }

        return fields;
    }

    private static string Text(Dictionary<string, JsonElement> fields, string name) =>
        fields[name].ValueKind == JsonValueKind.String ? fields[name].GetString()! : throw Bad($"'{name}' is {fields[name].ValueKind}; a string is expected");

    private static long Long(Dictionary<string, JsonElement> fields, string name) =>
        fields[name].ValueKind == JsonValueKind.Number && fields[name].TryGetInt64(out var value) ? value : throw Bad($"'{name}' is not a whole number");

    private static int Int(Dictionary<string, JsonElement> fields, string name) =>
        fields[name].ValueKind == JsonValueKind.Number && fields[name].TryGetInt32(out var value) ? value : throw Bad($"'{name}' is not a whole number within 32 bits");

    private static double Double(Dictionary<string, JsonElement> fields, string name) =>
        fields[name].ValueKind == JsonValueKind.Number && fields[name].TryGetDouble(out var value) && double.IsFinite(value)
            ? value
            : throw Bad($"'{name}' is not a finite number");

    private static bool Bool(Dictionary<string, JsonElement> fields, string name) => fields[name].ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        var kind => throw Bad($"'{name}' is {kind}; true or false is expected"),
    };

    private static TimeSpan Duration(Dictionary<string, JsonElement> fields, string name) =>
        TimeSpan.TryParseExact(Text(fields, name), "c", CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Bad($"'{name}' is not a duration [d.]hh:mm:ss");

    private static DateTimeOffset IssuedAt(string text) =>
        DateTime.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value)
            ? new DateTimeOffset(value, TimeSpan.Zero)
            : throw Bad($"issuedAt '{Printable(text)}' is not UTC as {TimeFormat}");

    private static bool IsText(string? text) => text is { Length: > 0 and <= MaxTextLength } && !text.Any(char.IsControl);

    private static bool IsSha256(string? hex) => hex is { Length: 64 } && hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw Bad(problem);
        }
    }

    private static DesiredModelException Bad(string problem) => new(DesiredModelChecks.Format, problem);

    private static string Printable(string text)
    {
        var shown = text.Length > 80 ? text[..80] + "…" : text;
        return string.Concat(shown.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
