using System.Security.Cryptography;
using System.Text.Json;
using CreditEdge.Core.Policy;
using CreditEdge.Core.Schema;

namespace CreditEdge.Core.Packages;

/// <summary>A package directory whose manifest parsed and whose files match the hashes the manifest names.</summary>
public sealed class ModelPackage
{
    public const string ManifestFile = "manifest.json";
    public const string SignatureFile = "manifest.cose";

    private ModelPackage(string directory, ModelManifest manifest, FeatureSchema schema, ReasonAttribution attribution)
    {
        Directory = directory;
        Manifest = manifest;
        Schema = schema;
        Attribution = attribution;
    }

    public string Directory { get; }

    public ModelManifest Manifest { get; }

    public FeatureSchema Schema { get; }

    public ReasonAttribution Attribution { get; }

    public ScorePolicy Policy => Manifest.Policy;

    public string PathOf(ModelVariant variant) => Path.Combine(Directory, variant.File);

    /// <summary>The variant called <paramref name="name"/>; throws naming the ones there are.</summary>
    public ModelVariant Variant(string name) =>
        Manifest.Variants.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ModelPackageException("variant", $"package '{Manifest.Id}' has no variant '{name}' (it has: {string.Join(", ", Manifest.Variants.Select(v => v.Name))})");

    /// <summary>Reads and checks a package directory: manifest, schema, policy, reason table, variant files and hashes.</summary>
    public static ModelPackage Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new ModelPackageException("directory", $"'{full}' does not exist");
        }

        var manifest = ReadManifest(Path.Combine(full, ManifestFile));
        FeatureSchema schema;
        try
        {
            schema = new FeatureSchema(manifest.Features, manifest.NonInputs);
        }
        catch (InvalidSchemaException ex)
        {
            throw new ModelPackageException("schema", ex.Message, ex);
        }

        var policyProblems = manifest.Policy.Problems();
        if (policyProblems.Count > 0)
        {
            throw new ModelPackageException("policy", string.Join("; ", policyProblems));
        }

        var textProblems = ManifestTexts.Problems(manifest.Features, manifest.Reasons);
        if (textProblems.Count > 0)
        {
            throw new ModelPackageException("texts", string.Join("; ", textProblems));
        }

        ReasonAttribution attribution;
        try
        {
            attribution = new ReasonAttribution(manifest.Features.Select(f => f.Name).ToArray(), manifest.Reasons);
        }
        catch (ArgumentException ex)
        {
            throw new ModelPackageException("reasons", ex.Message, ex);
        }

        if (manifest.Variants.Count == 0)
        {
            throw new ModelPackageException("variants", "the manifest lists no model variant");
        }

        foreach (var variant in manifest.Variants)
        {
            CheckFile(full, variant);
        }

        return new ModelPackage(full, manifest, schema, attribution);
    }

    public static ModelManifest ReadManifest(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelPackageException("manifest", $"'{path}' does not exist");
        }

        try
        {
            using var stream = File.OpenRead(path);
            var manifest = JsonSerializer.Deserialize(stream, PackageJson.Default.ModelManifest)
                ?? throw new ModelPackageException("manifest", $"'{path}' is empty");
            // "required" only means present: JSON null still deserializes into a non-nullable member
            foreach (var (name, value) in new (string, object?)[] { ("id", manifest.Id), ("version", manifest.Version), ("features", manifest.Features), ("nonInputs", manifest.NonInputs), ("policy", manifest.Policy), ("reasons", manifest.Reasons), ("reference", manifest.Reference), ("variants", manifest.Variants), ("golden", manifest.Golden) })
            {
                if (value is null)
                {
                    throw new ModelPackageException("manifest", $"'{path}': '{name}' is null");
                }
            }

            if (manifest.Features.Any(f => f is null) || manifest.Variants.Any(v => v is null) || manifest.Reasons.Any(r => r is null) || manifest.NonInputs.Any(n => n is null))
            {
                throw new ModelPackageException("manifest", $"'{path}' has a null entry in features, nonInputs, reasons or variants");
            }

            return manifest;
        }
        catch (JsonException ex)
        {
            throw new ModelPackageException("manifest", $"'{path}' is not a valid manifest: {ex.Message}", ex);
        }
    }

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void CheckFile(string directory, ModelVariant variant)
    {
        if (variant.File.Contains('/', StringComparison.Ordinal) || variant.File.Contains('\\', StringComparison.Ordinal) || variant.File.StartsWith('.'))
        {
            throw new ModelPackageException("variant-file", $"variant '{variant.Name}' names '{variant.File}'; files must sit in the package directory");
        }

        var path = Path.Combine(directory, variant.File);
        if (!File.Exists(path))
        {
            throw new ModelPackageException("variant-file", $"variant '{variant.Name}': '{variant.File}' is missing");
        }

        var size = new FileInfo(path).Length;
        if (size != variant.SizeBytes)
        {
            throw new ModelPackageException("variant-size", $"variant '{variant.Name}': '{variant.File}' has {size} bytes; the manifest says {variant.SizeBytes}");
        }

        var sha = Sha256Of(path);
        if (!string.Equals(sha, variant.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelPackageException("variant-hash", $"variant '{variant.Name}': '{variant.File}' has SHA-256 {sha}; the manifest says {variant.Sha256}");
        }
    }
}
