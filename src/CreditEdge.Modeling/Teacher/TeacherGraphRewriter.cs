using CreditEdge.Core.Packages;
using CreditEdge.Modeling.Onnx;
using Onnx;

namespace CreditEdge.Modeling.Teacher;

/// <summary>
/// Rewrites ML.NET's exported graph to the package contract: its features input becomes <c>features</c> float32
/// [N, F], its probability output is reshaped to <c>probability</c> float32 [N, 1], every other output and the
/// nodes and initializers only they need are dropped, and names and doc strings are made reproducible.
/// </summary>
public static class TeacherGraphRewriter
{
    public static void Rewrite(ModelProto model, int width, string docString)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var input = graph.Input.FirstOrDefault(i => i.Name.StartsWith("Features", StringComparison.Ordinal))
            ?? throw new ModelBuildException($"the exported teacher graph has no Features input (it has: {string.Join(", ", graph.Input.Select(i => i.Name))})");
        var probability = graph.Output.FirstOrDefault(o => o.Name.StartsWith("Probability", StringComparison.Ordinal))
            ?? throw new ModelBuildException($"the exported teacher graph has no Probability output (it has: {string.Join(", ", graph.Output.Select(o => o.Name))})");

        RenameTensor(graph, input.Name, ModelContract.InputName);
        var shape = OnnxGraph.Shape([-1, 1]);
        graph.Initializer.Add(shape);
        graph.Node.Add(OnnxGraph.Node("Reshape", "to_column", [probability.Name, shape.Name], [ModelContract.OutputName]));

        graph.Input.Clear();
        graph.Input.Add(OnnxGraph.FloatValue(ModelContract.InputName, width));
        graph.Output.Clear();
        graph.Output.Add(OnnxGraph.FloatValue(ModelContract.OutputName, 1));
        OnnxGraph.RemoveUnused(graph);
        graph.ValueInfo.Clear();
        graph.Name = "creditedge_teacher";
        graph.DocString = docString;
        model.DocString = docString;
        model.ProducerName = "cedge (ML.NET LightGBM + OnnxConverter)";
        model.ProducerVersion = "0.2";
        model.Domain = string.Empty;
        model.MetadataProps.Clear();
    }

    private static void RenameTensor(GraphProto graph, string from, string to)
    {
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == from)
                {
                    node.Input[i] = to;
                }
            }
        }
    }
}
