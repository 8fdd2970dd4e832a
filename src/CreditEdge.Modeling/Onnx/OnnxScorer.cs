using Microsoft.ML.OnnxRuntime;

namespace CreditEdge.Modeling.Onnx;

/// <summary>
/// Scores raw rows with an ONNX file in ONNX Runtime, one thread, no CreditEdge code in between:
/// what any runtime on the device would compute.
/// </summary>
public sealed class OnnxScorer : IDisposable
{
    private const int BatchRows = 4096;

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    public OnnxScorer(string modelPath)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(modelPath, options);
        if (!_session.InputMetadata.TryGetValue(OnnxModelWriter.InputName, out var input) || input.Dimensions.Length != 2)
        {
            Dispose();
            throw new InvalidOperationException($"'{modelPath}' has no 2-D input named '{OnnxModelWriter.InputName}'");
        }

        if (!_session.OutputMetadata.ContainsKey(OnnxModelWriter.OutputName))
        {
            Dispose();
            throw new InvalidOperationException($"'{modelPath}' has no output named '{OnnxModelWriter.OutputName}'");
        }

        FeatureCount = input.Dimensions[1];
    }

    /// <summary>The model's input width F.</summary>
    public int FeatureCount { get; }

    /// <summary>Probabilities for <paramref name="rows"/> raw rows laid out row-major.</summary>
    public float[] Score(ReadOnlySpan<float> features, int rows)
    {
        if (features.Length != rows * FeatureCount)
        {
            throw new ArgumentException($"{rows} rows of {FeatureCount} features need {rows * FeatureCount} values; got {features.Length}", nameof(features));
        }

        var result = new float[rows];
        for (var start = 0; start < rows; start += BatchRows)
        {
            var count = Math.Min(BatchRows, rows - start);
            var batch = features.Slice(start * FeatureCount, count * FeatureCount).ToArray();
            using var input = OrtValue.CreateTensorValueFromMemory(batch, [count, FeatureCount]);
            using var outputs = _session.Run(_runOptions, [OnnxModelWriter.InputName], [input], [OnnxModelWriter.OutputName]);
            outputs[0].GetTensorDataAsSpan<float>().CopyTo(result.AsSpan(start, count));
        }

        return result;
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }
}
