using System.Globalization;
using System.Text.Json;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Policy;
using CreditEdge.Core.Schema;
using CreditEdge.Modeling.Data;

namespace CreditEdge.Modeling.Packaging;

/// <summary>
/// <c>cedge model relabel</c>: a copy of a package whose manifest texts — each feature's description, label, unit and
/// code labels, each reason's staff and applicant texts — are taken again from a schema file, under a new version and
/// a higher sequence. The model files, <c>golden.jsonl</c> and every other file are copied byte for byte; references,
/// policy, metrics, variants and <c>createdAt</c> are kept (the same inputs give the same bytes). The schema must describe exactly the package's inputs (names, order, kinds,
/// codes, ranges): relabelling never changes what a request may carry. The signature is not carried over: the new
/// manifest is not what was signed, so the copy must be signed again (<c>cedge model sign</c>).
/// </summary>
public static class PackageRelabeler
{
    /// <summary>Writes the relabelled package to <paramref name="outputDirectory"/> (new or empty) and loads it back; throws <see cref="ModelBuildException"/> naming what is refused.</summary>
    public static RelabelResult Relabel(string packageDirectory, string schemaPath, string outputDirectory, string version, long sequence)
    {
        ArgumentException.ThrowIfNullOrEmpty(packageDirectory);
        ArgumentException.ThrowIfNullOrEmpty(schemaPath);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);

        var package = ModelPackage.Load(packageDirectory);
        var old = package.Manifest;
        if (string.IsNullOrWhiteSpace(version) || version.Length > 64 || version.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ModelBuildException($"--version '{version}' is not a version (1 to 64 characters, no spaces)");
        }

        if (string.Equals(version, old.Version, StringComparison.Ordinal))
        {
            throw new ModelBuildException($"--version {version} is the package's own version; a relabelled package is a new package and needs a new version");
        }

        if (sequence <= old.Sequence)
        {
            throw new ModelBuildException($"--sequence {sequence} is not above the package's sequence {old.Sequence}; devices install only a higher sequence");
        }

        var source = Path.GetFullPath(packageDirectory);
        var target = Path.GetFullPath(outputDirectory);
        if (string.Equals(source.TrimEnd(Path.DirectorySeparatorChar), target.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
        {
            throw new ModelBuildException("--out is the package itself; write the relabelled package to a new directory");
        }

        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new ModelBuildException($"--out '{target}' is not empty; give a new or empty directory");
        }

        var schema = DatasetSchemaReader.Load(schemaPath);
        var mismatches = Mismatches(old.Features, schema);
        if (mismatches.Count > 0)
        {
            throw new ModelBuildException($"the schema '{schemaPath}' does not describe the package's inputs: {string.Join("; ", mismatches)}");
        }

        var byName = schema.Inputs.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var features = schema.ToFeatureDefinitions()
            .Zip(old.Features, (fresh, was) => was with
            {
                Description = fresh.Description,
                Label = fresh.Label,
                Unit = fresh.Unit,
                CodeLabels = fresh.CodeLabels,
            })
            .ToArray();
        var reasons = old.Reasons.Select(r => byName.TryGetValue(r.Feature, out var column)
            ? r with
            {
                Text = ReasonTableBuilder.TextOf(column),
                ApplicantText = column.ApplicantText,
                ApplicantTextHigh = column.ApplicantTextHigh,
                ApplicantTextLow = column.ApplicantTextLow,
            }
            : r).ToArray();
        var manifest = old with
        {
            Version = version,
            Sequence = sequence,
            Features = features,
            Reasons = reasons,
        };

        var textProblems = ManifestTexts.Problems(manifest.Features, manifest.Reasons);
        if (textProblems.Count > 0)
        {
            throw new ModelBuildException($"the relabelled manifest's texts are refused: {string.Join("; ", textProblems)}");
        }

        Directory.CreateDirectory(target);
        var copied = new List<string>();
        foreach (var file in Directory.EnumerateFiles(source).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (name is ModelPackage.ManifestFile or ModelPackage.SignatureFile or PackageWriter.SchemaFile)
            {
                continue;
            }

            if (name == ModelCardWriter.FileName)
            {
                File.WriteAllText(Path.Combine(target, name), RelabelCard(File.ReadAllText(file), old, manifest));
            }
            else
            {
                File.Copy(file, Path.Combine(target, name));
            }

            copied.Add(name);
        }

        File.Copy(schemaPath, Path.Combine(target, PackageWriter.SchemaFile));
        using (var stream = File.Create(Path.Combine(target, ModelPackage.ManifestFile)))
        {
            JsonSerializer.Serialize(stream, manifest, PackageJson.Default.ModelManifest);
        }

        var golden = PackageSelfCheck.Verify(target);
        return new RelabelResult(target, manifest.Id, old.Version, old.Sequence, version, sequence, copied, golden,
            File.Exists(Path.Combine(source, ModelPackage.SignatureFile)));
    }

    /// <summary>Everything in which the schema's inputs differ from the package's features; empty when they agree.</summary>
    public static IReadOnlyList<string> Mismatches(IReadOnlyList<FeatureDefinition> features, DatasetSchema schema)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(schema);
        var problems = new List<string>();
        var fresh = schema.ToFeatureDefinitions();
        var packageNames = features.Select(f => f.Name).ToArray();
        var schemaNames = fresh.Select(f => f.Name).ToArray();
        if (!packageNames.SequenceEqual(schemaNames, StringComparer.Ordinal))
        {
            var missing = packageNames.Except(schemaNames, StringComparer.Ordinal).ToArray();
            var extra = schemaNames.Except(packageNames, StringComparer.Ordinal).ToArray();
            if (missing.Length > 0)
            {
                problems.Add($"the package's input(s) {string.Join(", ", missing)} are not inputs of the schema");
            }

            if (extra.Length > 0)
            {
                problems.Add($"the schema's input(s) {string.Join(", ", extra)} are not inputs of the package");
            }

            if (missing.Length == 0 && extra.Length == 0)
            {
                problems.Add($"the schema lists the inputs in another order (package: {string.Join(", ", packageNames)})");
            }

            return problems;
        }

        for (var i = 0; i < features.Count; i++)
        {
            var (was, now) = (features[i], fresh[i]);
            var where = $"input '{was.Name}'";
            if (was.Kind != now.Kind)
            {
                problems.Add($"{where} is {Kind(was.Kind)} in the package and {Kind(now.Kind)} in the schema");
                continue;
            }

            if (was.Kind == FeatureKind.Categorical)
            {
                var wasCodes = was.Codes ?? [];
                var nowCodes = now.Codes ?? [];
                if (!wasCodes.SequenceEqual(nowCodes, StringComparer.Ordinal))
                {
                    problems.Add($"{where} has codes {string.Join(", ", wasCodes)} in the package and {string.Join(", ", nowCodes)} in the schema");
                }
            }
            else if (was.Min != now.Min || was.Max != now.Max || was.WholeNumber != now.WholeNumber)
            {
                problems.Add($"{where} allows {Range(was)} in the package and {Range(now)} in the schema");
            }
        }

        return problems;
    }

    private static string Kind(FeatureKind kind) => kind == FeatureKind.Numeric ? "numeric" : "categorical";

    private static string Range(FeatureDefinition f) =>
        string.Create(CultureInfo.InvariantCulture, $"{f.Min} … {f.Max}{(f.WholeNumber ? " (whole numbers)" : string.Empty)}");

    /// <summary>The model card with the new identity in its title and a line saying what changed.</summary>
    private static string RelabelCard(string card, ModelManifest old, ModelManifest relabelled)
    {
        var title = $"# Model card: {old.Id} {old.Version}";
        var note = string.Create(CultureInfo.InvariantCulture,
            $"# Model card: {relabelled.Id} {relabelled.Version}\n\n_Relabelled from {old.Version} (sequence {old.Sequence}) as sequence {relabelled.Sequence} with `cedge model relabel`: feature labels, units, code labels and reason texts are new; the model files, golden set, policy, references and the figures below are those of {old.Version}._");
        return card.StartsWith(title, StringComparison.Ordinal)
            ? note + card[title.Length..]
            : note + "\n\n" + card;
    }
}
