using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using Google.Protobuf;
using Onnx;

namespace CreditEdge.TestKit;

/// <summary>How <see cref="PackageForge.BreakOutputs"/> spoils a model's output.</summary>
public enum OutputBreak
{
    /// <summary>probability × NaN.</summary>
    NaN,

    /// <summary>probability + 1.5: never a probability.</summary>
    AboveOne,
}

/// <summary>
/// Copies of the default package changed the way a careless or hostile builder would — with the manifest's variant
/// digests kept consistent, so only the check meant to catch the change can catch it. Sign the result afterwards.
/// </summary>
public static class PackageForge
{
    /// <summary>Copies the top-level files of <c>models/default</c> (no signature) to <paramref name="to"/>.</summary>
    public static string CopyDefault(string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(RepoPaths.DefaultModel))
        {
            if (Path.GetFileName(file) != ModelPackage.SignatureFile)
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
            }
        }

        return to;
    }

    /// <summary>Appends one node after every variant's output (renaming the old output), then fixes the manifest's digests.</summary>
    public static void BreakOutputs(string packageDirectory, OutputBreak how)
    {
        foreach (var variant in Variants(packageDirectory))
        {
            var path = Path.Combine(packageDirectory, variant["file"]!.GetValue<string>());
            var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            var graph = model.Graph;
            const string Raw = "probability_before_forge";
            foreach (var node in graph.Node)
            {
                for (var i = 0; i < node.Output.Count; i++)
                {
                    if (node.Output[i] == ModelContract.OutputName)
                    {
                        node.Output[i] = Raw;
                    }
                }
            }

            var constant = new TensorProto { Name = "forge_constant", DataType = (int)TensorProto.Types.DataType.Float };
            constant.FloatData.Add(how == OutputBreak.NaN ? float.NaN : 1.5f);
            graph.Initializer.Add(constant);
            var node2 = new NodeProto { OpType = how == OutputBreak.NaN ? "Mul" : "Add", Name = "forge" };
            node2.Input.Add(Raw);
            node2.Input.Add("forge_constant");
            node2.Output.Add(ModelContract.OutputName);
            graph.Node.Add(node2);
            File.WriteAllBytes(path, model.ToByteArray());
        }

        UpdateVariantDigests(packageDirectory);
    }

    /// <summary>Edits manifest.json (then the variant digests are recomputed, in case a file changed too).</summary>
    public static void EditManifest(string packageDirectory, Action<JsonObject> edit)
    {
        var path = Path.Combine(packageDirectory, ModelPackage.ManifestFile);
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(manifest);
        File.WriteAllText(path, manifest.ToJsonString());
        UpdateVariantDigests(packageDirectory);
    }

    /// <summary>Recomputes each variant's sha256 and size in manifest.json from its file.</summary>
    public static void UpdateVariantDigests(string packageDirectory)
    {
        var path = Path.Combine(packageDirectory, ModelPackage.ManifestFile);
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        foreach (var variant in manifest["variants"]!.AsArray())
        {
            var file = Path.Combine(packageDirectory, variant!["file"]!.GetValue<string>());
            variant["sha256"] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
            variant["sizeBytes"] = new FileInfo(file).Length;
        }

        File.WriteAllText(path, manifest.ToJsonString());
    }

    private static List<JsonNode> Variants(string packageDirectory)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(packageDirectory, ModelPackage.ManifestFile)))!;
        return manifest["variants"]!.AsArray().Select(v => v!).ToList();
    }
}
