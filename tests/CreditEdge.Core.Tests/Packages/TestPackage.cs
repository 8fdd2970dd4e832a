using System.Security.Cryptography;
using System.Text.Json;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Policy;

namespace CreditEdge.Core.Tests.Packages;

/// <summary>A package directory in a temp folder: a manifest for the test schema and a dummy model file it hashes.</summary>
public sealed class TestPackage : IDisposable
{
    public const string ModelFile = "model.fp32.onnx";

    public TestPackage()
    {
        Root = Path.Combine(Path.GetTempPath(), "creditedge-tests-" + Guid.NewGuid().ToString("N"));
        Directory = Path.Combine(Root, "pkg");
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllBytes(ModelPath, ModelBytes);
    }

    /// <summary>Bytes that stand in for an ONNX graph: the loader hashes the file, it does not run it.</summary>
    public static byte[] ModelBytes { get; } = [.. "not really onnx, just bytes to hash"u8, 0x00, 0xFF, 0x10];

    public string Root { get; }

    public string Directory { get; }

    public string ModelPath => Path.Combine(Directory, ModelFile);

    public string ManifestPath => Path.Combine(Directory, ModelPackage.ManifestFile);

    public static ModelManifest ValidManifest() => new()
    {
        Id = "test-credit",
        Version = "1.2.3",
        Sequence = 7,
        CreatedAt = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero),
        Description = "test package",
        Features = TestSchemas.Features(),
        NonInputs = TestSchemas.NonInputs(),
        Policy = new ScorePolicy { Pdo = 20, BaseScore = 600, BaseOdds = 50, ApproveMinScore = 620, DeclineBelowScore = 580 },
        Reasons = TestSchemas.Features()
            .Select((f, i) => new ReasonCode { Code = $"R{i:00}", Feature = f.Name, Text = $"{f.Name} raised the risk", Reference = i })
            .ToArray(),
        Variants =
        [
            new ModelVariant
            {
                Name = "fp32",
                File = ModelFile,
                Precision = "fp32",
                Sha256 = Convert.ToHexStringLower(SHA256.HashData(ModelBytes)),
                SizeBytes = ModelBytes.Length,
            },
        ],
    };

    public static ModelVariant ValidVariant() => ValidManifest().Variants[0];

    public void WriteManifest(ModelManifest manifest) =>
        File.WriteAllText(ManifestPath, JsonSerializer.Serialize(manifest, PackageJson.Default.ModelManifest));

    public void WriteManifestText(string json) => File.WriteAllText(ManifestPath, json);

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Root))
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
    }
}
