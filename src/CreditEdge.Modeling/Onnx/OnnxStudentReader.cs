using CreditEdge.Modeling.Training;
using Onnx;

namespace CreditEdge.Modeling.Onnx;

/// <summary>
/// Reads a student written by <see cref="OnnxModelWriter"/> back into a <see cref="TrainedModel"/> (encoder constants and
/// weights, by initializer name), so a package can be fine-tuned without its training run.
/// </summary>
public static class OnnxStudentReader
{
    public static TrainedModel Read(string path)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var tensors = model.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        TensorProto Tensor(string name) => tensors.TryGetValue(name, out var t)
            ? t
            : throw new ModelBuildException($"'{path}' is not a CreditEdge student graph: initializer '{name}' is missing");

        var numeric = tensors.ContainsKey("numeric_index") ? OnnxGraph.Int64sOf(Tensor("numeric_index")).Select(i => (int)i).ToArray() : [];
        var mean = numeric.Length > 0 ? OnnxGraph.FloatsOf(Tensor("numeric_mean")) : [];
        var scale = numeric.Length > 0 ? OnnxGraph.FloatsOf(Tensor("numeric_std")) : [];
        var compress = tensors.TryGetValue("numeric_compress", out var mask) ? mask.Int32Data.Select(v => v != 0).ToArray() : new bool[numeric.Length];
        var compressScale = tensors.TryGetValue("numeric_c", out var c) ? OnnxGraph.FloatsOf(c) : Enumerable.Repeat(1f, numeric.Length).ToArray();
        var categorical = new List<int>();
        var codes = new List<int>();
        foreach (var node in model.Graph.Node.Where(n => n.OpType == "Equal"))
        {
            var prefix = node.Input[1][..^"_codes".Length];
            categorical.Add((int)OnnxGraph.Int64sOf(Tensor($"{prefix}_index"))[0]);
            codes.Add(OnnxGraph.FloatsOf(Tensor(node.Input[1])).Length);
        }

        var encoder = new InputEncoder(numeric, mean, scale, categorical, codes, compress, compressScale);
        var sizes = new List<int> { encoder.EncodedWidth };
        for (var l = 0; tensors.ContainsKey($"dense{l}_weight"); l++)
        {
            sizes.Add((int)Tensor($"dense{l}_weight").Dims[1]);
        }

        var network = new Mlp(sizes);
        for (var l = 0; l < network.LayerCount; l++)
        {
            var weights = OnnxGraph.FloatsOf(Tensor($"dense{l}_weight"));
            var biases = OnnxGraph.FloatsOf(Tensor($"dense{l}_bias"));
            for (var i = 0; i < weights.Length; i++)
            {
                network.Parameters[network.WeightOffset(l) + i] = weights[i];
            }

            for (var i = 0; i < biases.Length; i++)
            {
                network.Parameters[network.BiasOffset(l) + i] = biases[i];
            }
        }

        return new TrainedModel(encoder, network, new TrainingSummary(0, 0, 0, 0, 0));
    }
}
