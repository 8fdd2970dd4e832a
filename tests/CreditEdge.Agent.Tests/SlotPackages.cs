using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.TestKit;

namespace CreditEdge.Agent.Tests;

/// <summary>Copies of the committed default package for slot tests: unsigned (no trust keys are configured), version changed.</summary>
public static class SlotPackages
{
    /// <summary>
    /// Copies <c>models/default</c> to <paramref name="to"/> without its signature and with manifest version
    /// <paramref name="version"/>. The manifest hashes only the variant files and golden.jsonl holds inputs and expected
    /// probabilities, so the copy loads and replays golden like the original.
    /// </summary>
    public static string CopyDefault(string to, string version)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(RepoPaths.DefaultModel))
        {
            if (Path.GetFileName(file) != ModelPackage.SignatureFile)
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }
        }

        var manifestPath = Path.Combine(to, ModelPackage.ManifestFile);
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["version"] = version;
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        return to;
    }

    /// <summary>Every file under <paramref name="directory"/> (relative path → bytes), for byte-for-byte comparisons.</summary>
    public static SortedDictionary<string, byte[]> Snapshot(string directory) =>
        new(Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f), File.ReadAllBytes), StringComparer.Ordinal);

    /// <summary>Flips a byte in the middle of the package's fp32 model, so the package no longer loads.</summary>
    public static void Damage(string packageDirectory)
    {
        var path = Path.Combine(packageDirectory, "model.fp32.onnx");
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
    }
}
