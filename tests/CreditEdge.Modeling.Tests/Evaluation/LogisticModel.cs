using CreditEdge.Core.Packages;
using CreditEdge.Modeling.Data;
using CreditEdge.Modeling.Onnx;
using Google.Protobuf;
using Onnx;

namespace CreditEdge.Modeling.Tests.Evaluation;

/// <summary>
/// p = σ(bias + Σ weights[i]·x[i]) as a contract ONNX model (<c>features</c> → <c>probability</c>), run by the real
/// ONNX Runtime: every probability, score, outcome and reason it leads to can be worked out by hand. Also the dataset
/// schema the evaluation tests use: numeric inputs X1…Xn (manifest order), one protected column GROUP, label BAD.
/// </summary>
internal static class LogisticModel
{
    public static string Write(string path, float[] weights, float bias)
    {
        var graph = new GraphProto { Name = "logistic" };
        graph.Input.Add(OnnxGraph.FloatValue(ModelContract.InputName, weights.Length));
        graph.Output.Add(OnnxGraph.FloatValue(ModelContract.OutputName, 1));
        graph.Initializer.Add(OnnxGraph.FloatTensor("W", [weights.Length, 1], weights));
        graph.Initializer.Add(OnnxGraph.FloatTensor("B", [1], [bias]));
        graph.Node.Add(OnnxGraph.Node("Gemm", "logit", [ModelContract.InputName, "W", "B"], ["z"]));
        graph.Node.Add(OnnxGraph.Node("Sigmoid", "sigmoid", ["z"], [ModelContract.OutputName]));
        var model = new ModelProto { IrVersion = OnnxModelWriter.IrVersion, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = OnnxModelWriter.Opset });
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    public static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>A schema with <paramref name="inputs"/> numeric inputs X1…Xn in −100…100, protected GROUP and label BAD.</summary>
    public static DatasetSchema Schema(int inputs)
    {
        var columns = Enumerable.Range(1, inputs)
            .Select(i => $$"""{ "name": "X{{i}}", "role": "numeric", "min": -100, "max": 100, "description": "input {{i}}" }""");
        var json = $$"""
            {
              "name": "logistic",
              "delimiter": ",",
              "header": true,
              "split": { "rule": "rowIndexModulo", "modulus": 5, "remainder": 0 },
              "columns": [
                {{string.Join(",\n", columns)}},
                { "name": "GROUP", "role": "protected" },
                { "name": "BAD", "role": "label", "bad": "1", "good": "0" }
              ]
            }
            """;
        return DatasetSchemaReader.Parse(json, "logistic.schema.json");
    }

    /// <summary>Rows as a test split (every row in it).</summary>
    public static Dataset Rows(DatasetSchema schema, float[][] rows, int[] labels, string[] groups) =>
        new(schema, [.. rows.SelectMany(r => r)], labels, [.. rows.Select(_ => true)], [groups]);
}
