using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.TestKit;
using Google.Protobuf;
using Onnx;

namespace CreditEdge.Kiosk.Tests;

/// <summary>
/// The default package with one more feature: every variant's graph takes F+1 columns and slices off the last one
/// before its own first node, so the decisions (and the golden replay) stay those of the default package.
/// </summary>
public static class ExtraFeaturePackage
{
    public const string Name = "MONTHLY_INCOME";

    public const string Label = "Monthly income";

    public const string Unit = "NT$";

    public const double Max = 2_000_000;

    public static string Create(string directory)
    {
        PackageForge.CopyDefault(directory);
        var manifestPath = Path.Combine(directory, ModelPackage.ManifestFile);
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        var width = manifest["features"]!.AsArray().Count;
        foreach (var variant in manifest["variants"]!.AsArray())
        {
            WidenInput(Path.Combine(directory, variant!["file"]!.GetValue<string>()), width);
        }

        PackageForge.EditManifest(directory, m =>
        {
            m["version"] = "9.0.0-extra";
            // copies of an existing numeric feature and reason entry: whatever else a manifest entry must carry, it has
            var features = m["features"]!.AsArray();
            var extra = features.Single(f => f!["name"]!.GetValue<string>() == "AGE")!.DeepClone().AsObject();
            extra["name"] = Name;
            extra["description"] = "Net monthly income of the applicant";
            extra["label"] = Label;
            extra["unit"] = Unit;
            extra["min"] = 0;
            extra["max"] = Max;
            extra["wholeNumber"] = true;
            extra["required"] = true;
            features.Add(extra);
            var reasons = m["reasons"]!.AsArray();
            var reason = reasons.Single(r => r!["feature"]!.GetValue<string>() == "AGE")!.DeepClone().AsObject();
            reason["code"] = "R99";
            reason["feature"] = Name;
            reason["text"] = "Monthly income";
            reason["reference"] = 0;
            reasons.Add(reason);
        });

        var goldenPath = Path.Combine(directory, "golden.jsonl");
        var lines = File.ReadLines(goldenPath).Where(l => l.Length > 0).Select(l =>
        {
            var record = JsonNode.Parse(l)!.AsObject();
            record["features"]![Name] = 0;
            record["input"]!.AsArray().Add(0);
            return record.ToJsonString();
        }).ToList();
        File.WriteAllLines(goldenPath, lines);
        return directory;
    }

    private static void WidenInput(string modelPath, int width)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
        var graph = model.Graph;
        var input = graph.Input.Single(i => i.Name == ModelContract.InputName);
        const string Narrow = "features_without_extra";
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == ModelContract.InputName)
                {
                    node.Input[i] = Narrow;
                }
            }
        }

        input.Type.TensorType.Shape.Dim[1].DimValue = width + 1;
        graph.Initializer.Add(Int64("extra_starts", 0));
        graph.Initializer.Add(Int64("extra_ends", width));
        graph.Initializer.Add(Int64("extra_axes", 1));
        var slice = new NodeProto { OpType = "Slice", Name = "drop_extra_feature" };
        slice.Input.Add(ModelContract.InputName);
        slice.Input.Add("extra_starts");
        slice.Input.Add("extra_ends");
        slice.Input.Add("extra_axes");
        slice.Output.Add(Narrow);
        graph.Node.Insert(0, slice);
        File.WriteAllBytes(modelPath, model.ToByteArray());
    }

    private static TensorProto Int64(string name, long value)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(1);
        tensor.Int64Data.Add(value);
        return tensor;
    }
}
