using System.Security.Cryptography;
using System.Text.Json;

namespace CreditEdge.Core.Packages.Signing;

/// <summary>
/// The document a package signature covers (the embedded COSE payload): the manifest's identity and the size and
/// SHA-256 of <b>every</b> file in the package directory except <c>manifest.cose</c> itself — manifest.json, each
/// model variant, golden.jsonl, metrics.json, MODEL_CARD.md, report files. Canonical form: UTF-8 JSON, no whitespace,
/// properties in a fixed order, files sorted by ordinal path, paths relative with <c>/</c>, hashes lower-case hex.
/// </summary>
internal sealed record PackageDigest(string Format, string ModelId, string Version, long Sequence, IReadOnlyList<PackageFileDigest> Files)
{
    public const string CurrentFormat = "creditedge.package-digest/1";

    /// <summary>Largest payload accepted when parsing (a package has a handful of files).</summary>
    private const int MaxPayloadBytes = 1 << 20;

    /// <summary>Hashes every file under <paramref name="packageDirectory"/> except the signature.</summary>
    public static PackageDigest Compute(string packageDirectory, ModelManifest manifest) =>
        new(CurrentFormat, manifest.Id, manifest.Version, manifest.Sequence, HashFiles(packageDirectory));

    /// <summary>The package's files as they are now, sorted by path; <c>manifest.cose</c> excluded.</summary>
    public static IReadOnlyList<PackageFileDigest> HashFiles(string packageDirectory)
    {
        var files = new List<PackageFileDigest>();
        foreach (var path in Directory.EnumerateFiles(packageDirectory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var relative = Path.GetRelativePath(packageDirectory, path).Replace(Path.DirectorySeparatorChar, '/');
            if (relative == ModelPackage.SignatureFile)
            {
                continue;
            }

            using var stream = File.OpenRead(path);
            var sha = Convert.ToHexStringLower(SHA256.HashData(stream));
            files.Add(new PackageFileDigest(relative, stream.Length, sha));
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return files;
    }

    public byte[] ToCanonicalJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteString("id", ModelId);
            writer.WriteString("version", Version);
            writer.WriteNumber("sequence", Sequence);
            writer.WriteStartArray("files");
            foreach (var file in Files.OrderBy(f => f.Path, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("path", file.Path);
                writer.WriteNumber("size", file.SizeBytes);
                writer.WriteString("sha256", file.Sha256);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Reads a payload; throws <see cref="ModelPackageException"/> (<c>signature-content</c>) when it is not a digest document.</summary>
    public static PackageDigest Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxPayloadBytes)
        {
            throw Bad($"the signed payload has {payload.Length} bytes; at most {MaxPayloadBytes} are expected");
        }

        try
        {
            using var document = JsonDocument.Parse(payload.ToArray());
            var root = document.RootElement;
            var format = root.GetProperty("format").GetString();
            if (format != CurrentFormat)
            {
                throw Bad($"the signed payload has format '{format}'; expected '{CurrentFormat}'");
            }

            var files = new List<PackageFileDigest>();
            foreach (var file in root.GetProperty("files").EnumerateArray())
            {
                files.Add(new PackageFileDigest(
                    file.GetProperty("path").GetString() ?? throw Bad("a file entry has no path"),
                    file.GetProperty("size").GetInt64(),
                    file.GetProperty("sha256").GetString() ?? throw Bad("a file entry has no sha256")));
            }

            return new PackageDigest(
                format,
                root.GetProperty("id").GetString() ?? throw Bad("the signed payload has no id"),
                root.GetProperty("version").GetString() ?? throw Bad("the signed payload has no version"),
                root.GetProperty("sequence").GetInt64(),
                files);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ModelPackageException(SignatureChecks.Content, $"the signed payload is not a package digest: {ex.Message}", ex);
        }
    }

    private static ModelPackageException Bad(string message) => new(SignatureChecks.Content, message);
}
