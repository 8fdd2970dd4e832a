using Google.Protobuf;
using Onnx;

namespace CreditEdge.Modeling.Onnx;

/// <summary>Small helpers to build and edit ONNX graphs with the OnnxSharp protobuf classes.</summary>
public static class OnnxGraph
{
    public static ValueInfoProto FloatValue(string name, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }

    public static TensorProto FloatTensor(string name, long[] dims, IEnumerable<float> values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        return tensor;
    }

    public static TensorProto Int64Tensor(string name, long[] dims, IEnumerable<long> values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        return tensor;
    }

    /// <summary>An 8-bit tensor stored as raw bytes (int32_data would spend up to 10 bytes per negative value).</summary>
    public static TensorProto ByteTensor(string name, long[] dims, TensorProto.Types.DataType type, byte[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(values) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>An int64 shape constant named after its values, e.g. <c>shape_-1_1</c>.</summary>
    public static TensorProto Shape(long[] dims) => Int64Tensor($"shape_{string.Join("_", dims)}", [dims.Length], dims);

    public static NodeProto Node(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    public static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>The float values of an initializer, whether stored as float_data or raw little-endian bytes.</summary>
    public static float[] FloatsOf(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw new ArgumentException($"initializer '{tensor.Name}' is not float32", nameof(tensor));
        }

        return tensor.FloatData.Count > 0
            ? tensor.FloatData.ToArray()
            : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
    }

    /// <summary>The int64 values of an initializer (int64_data or raw bytes).</summary>
    public static long[] Int64sOf(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.Int64Data.Count > 0
            ? tensor.Int64Data.ToArray()
            : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray();
    }

    /// <summary>Drops nodes whose outputs no graph output needs, then initializers no node reads.</summary>
    public static void RemoveUnused(GraphProto graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var needed = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        var keep = new List<NodeProto>();
        for (var i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (node.Output.Any(needed.Contains))
            {
                keep.Add(node);
                foreach (var input in node.Input)
                {
                    needed.Add(input);
                }
            }
        }

        keep.Reverse();
        graph.Node.Clear();
        graph.Node.AddRange(keep);
        var unusedInitializers = graph.Initializer.Where(t => !needed.Contains(t.Name)).ToArray();
        foreach (var tensor in unusedInitializers)
        {
            graph.Initializer.Remove(tensor);
        }
    }
}
