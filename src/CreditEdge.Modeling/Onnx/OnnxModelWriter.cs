using CreditEdge.Core.Packages;
using CreditEdge.Modeling.Training;
using Google.Protobuf;
using Onnx;

namespace CreditEdge.Modeling.Onnx;

/// <summary>
/// Writes a <see cref="TrainedModel"/> as an ONNX graph (opset 17, IR 8) with input <c>features</c> float32 [N, F]
/// (raw values, manifest order) and output <c>probability</c> float32 [N, 1]. Encoding lives in the graph:
/// numeric columns are gathered, then Sub(mean) and Div(std); each categorical column is gathered and compared
/// (Equal) against its code indices 0..K-1, then Cast to float — a one-hot block; the blocks are concatenated in the
/// <see cref="InputEncoder"/>'s order and fed to Gemm → Relu → … → Gemm → Sigmoid.
/// </summary>
public static class OnnxModelWriter
{
    private const string InputName = ModelContract.InputName;
    private const string OutputName = ModelContract.OutputName;
    public const int Opset = 17;
    public const long IrVersion = 8;

    /// <summary>Builds the model; the same inputs always give the same bytes.</summary>
    public static ModelProto Build(TrainedModel model, string docString)
    {
        ArgumentNullException.ThrowIfNull(model);
        var encoder = model.Encoder;
        var network = model.Network;
        var graph = new GraphProto { Name = "creditedge_mlp", DocString = docString };
        graph.Input.Add(FloatValue(InputName, encoder.InputWidth));
        graph.Output.Add(FloatValue(OutputName, 1));

        var blocks = new List<string>();
        if (encoder.NumericIndex.Count > 0)
        {
            var count = encoder.NumericIndex.Count;
            graph.Initializer.Add(Int64Tensor("numeric_index", [count], encoder.NumericIndex.Select(i => (long)i)));
            graph.Initializer.Add(FloatTensor("numeric_mean", [count], encoder.Mean));
            graph.Initializer.Add(FloatTensor("numeric_std", [count], encoder.Scale));
            graph.Node.Add(Node("Gather", "gather_numeric", [InputName, "numeric_index"], ["numeric_raw"], IntAttribute("axis", 1)));
            var numeric = "numeric_raw";
            if (encoder.Compress.Any(l => l))
            {
                // amounts: Where(mask, x / (|x| + c), x)
                var mask = new TensorProto { Name = "numeric_compress", DataType = (int)TensorProto.Types.DataType.Bool };
                mask.Dims.Add(count);
                mask.Int32Data.AddRange(encoder.Compress.Select(l => l ? 1 : 0));
                graph.Initializer.Add(mask);
                graph.Initializer.Add(FloatTensor("numeric_c", [count], encoder.CompressScale));
                graph.Node.Add(Node("Abs", "abs_numeric", [numeric], ["numeric_abs"]));
                graph.Node.Add(Node("Add", "shift_numeric", ["numeric_abs", "numeric_c"], ["numeric_den"]));
                graph.Node.Add(Node("Div", "compress_numeric", [numeric, "numeric_den"], ["numeric_cmp"]));
                graph.Node.Add(Node("Where", "select_numeric", ["numeric_compress", "numeric_cmp", numeric], ["numeric_t"]));
                numeric = "numeric_t";
            }

            graph.Node.Add(Node("Sub", "center_numeric", [numeric, "numeric_mean"], ["numeric_centered"]));
            graph.Node.Add(Node("Div", "scale_numeric", ["numeric_centered", "numeric_std"], ["numeric_scaled"]));
            blocks.Add("numeric_scaled");
        }

        for (var c = 0; c < encoder.CategoricalIndex.Count; c++)
        {
            var column = encoder.CategoricalIndex[c];
            var codes = encoder.CodeCount[c];
            var prefix = $"categorical_{column}";
            graph.Initializer.Add(Int64Tensor($"{prefix}_index", [1], [column]));
            graph.Initializer.Add(FloatTensor($"{prefix}_codes", [codes], Enumerable.Range(0, codes).Select(i => (float)i)));
            graph.Node.Add(Node("Gather", $"gather_{prefix}", [InputName, $"{prefix}_index"], [$"{prefix}_raw"], IntAttribute("axis", 1)));
            graph.Node.Add(Node("Equal", $"match_{prefix}", [$"{prefix}_raw", $"{prefix}_codes"], [$"{prefix}_match"]));
            graph.Node.Add(Node("Cast", $"onehot_{prefix}", [$"{prefix}_match"], [$"{prefix}_onehot"],
                IntAttribute("to", (int)TensorProto.Types.DataType.Float)));
            blocks.Add($"{prefix}_onehot");
        }

        var current = "encoded";
        graph.Node.Add(Node("Concat", "concat_encoded", blocks, [current], IntAttribute("axis", 1)));

        for (var l = 0; l < network.LayerCount; l++)
        {
            var inputs = network.LayerSizes[l];
            var outputs = network.LayerSizes[l + 1];
            var weights = network.Parameters.AsSpan(network.WeightOffset(l), inputs * outputs).ToArray().Select(w => (float)w);
            var biases = network.Parameters.AsSpan(network.BiasOffset(l), outputs).ToArray().Select(b => (float)b);
            graph.Initializer.Add(FloatTensor($"dense{l}_weight", [inputs, outputs], weights));
            graph.Node.Add(Node("Gemm", $"dense{l}", [current, $"dense{l}_weight", $"dense{l}_bias"], [$"dense{l}_out"]));
            graph.Initializer.Add(FloatTensor($"dense{l}_bias", [outputs], biases));
            current = $"dense{l}_out";
            if (l < network.LayerCount - 1)
            {
                graph.Node.Add(Node("Relu", $"relu{l}", [current], [$"relu{l}_out"]));
                current = $"relu{l}_out";
            }
        }

        graph.Node.Add(Node("Sigmoid", "sigmoid", [current], [OutputName]));

        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "cedge",
            ProducerVersion = "0.1",
            ModelVersion = 1,
            DocString = docString,
            Graph = graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
        return proto;
    }

    /// <summary>Builds the model and writes it to <paramref name="path"/>.</summary>
    public static void Write(TrainedModel model, string docString, string path)
    {
        var proto = Build(model, docString);
        File.WriteAllBytes(path, proto.ToByteArray());
    }

    private static ValueInfoProto FloatValue(string name, int width) => OnnxGraph.FloatValue(name, width);

    private static TensorProto FloatTensor(string name, long[] dims, IEnumerable<float> values) => OnnxGraph.FloatTensor(name, dims, values);

    private static TensorProto Int64Tensor(string name, long[] dims, IEnumerable<long> values) => OnnxGraph.Int64Tensor(name, dims, values);

    private static NodeProto Node(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, AttributeProto? attribute = null) =>
        attribute is null ? OnnxGraph.Node(opType, name, inputs, outputs) : OnnxGraph.Node(opType, name, inputs, outputs, attribute);

    private static AttributeProto IntAttribute(string name, long value) => OnnxGraph.IntAttribute(name, value);
}
