using System.Collections.Concurrent;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Scoring;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace CreditEdge.Inference;

/// <summary>
/// One ONNX Runtime session over a package's model file (<c>features</c> float32 [N, F] → <c>probability</c> float32 [N, 1]).
/// Calls reuse pre-allocated, pinned <see cref="OrtValue"/> buffers per batch size; no per-call tensors are built.
/// Thread-safe: each call leases its own buffers.
/// </summary>
public sealed class OnnxScorer : IProbabilityModel, IDisposable
{
    private const string InputName = ModelContract.InputName;
    private const string OutputName = ModelContract.OutputName;

    /// <summary>Rows per ORT call in <see cref="Score"/>.</summary>
    private const int ScoreChunkRows = 4096;

    private static readonly string[] InputNames = [InputName];
    private static readonly string[] OutputNames = [OutputName];

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly ConcurrentDictionary<int, ConcurrentBag<Buffers>> _pools = new();
    private readonly ConcurrentBag<Buffers> _all = [];
    private bool _disposed;

    private OnnxScorer(InferenceSession session, int featureCount)
    {
        _session = session;
        FeatureCount = featureCount;
    }

    public int FeatureCount { get; }

    /// <summary>The execution provider the session runs on.</summary>
    public ExecutionProviderKind Provider { get; private init; }

    /// <summary>Why the session runs on another provider than the one asked for, or null.</summary>
    public string? ProviderNote { get; private init; }

    /// <summary>True when the session was opened from the optimized-model cache (no optimization pass at load).</summary>
    public bool FromCache { get; private init; }

    /// <summary>Opens a session and checks the model's input and output against the package contract.</summary>
    public static OnnxScorer Load(string modelPath, OnnxScorerOptions? options = null)
    {
        options ??= OnnxScorerOptions.Default;
        using var sessionOptions = options.CreateSessionOptions(out var provider, out var note);
        var cached = options.CachedModelPath(modelPath, provider);
        var fromCache = cached is not null && File.Exists(cached);
        if (fromCache)
        {
            sessionOptions.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL; // optimized already, on this device
        }
        else if (cached is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
            sessionOptions.OptimizedModelFilePath = cached + ".tmp";
        }

        InferenceSession session;
        try
        {
            session = new InferenceSession(fromCache ? cached! : modelPath, sessionOptions);
            if (cached is not null && !fromCache)
            {
                File.Move(cached + ".tmp", cached, overwrite: true); // whole or absent: a torn copy is never opened
            }
        }
        catch (OnnxRuntimeException) when (fromCache)
        {
            File.Delete(cached!); // a cached copy ORT cannot open is rebuilt from the package's model
            return Load(modelPath, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelPackageException("onnx-load", $"ONNX Runtime cannot load '{modelPath}': {ex.Message}", ex);
        }

        try
        {
            var featureCount = CheckContract(session, modelPath);
            return new OnnxScorer(session, featureCount) { Provider = provider, ProviderNote = note, FromCache = fromCache };
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public void Predict(ReadOnlySpan<float> rows, Span<float> probabilities)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var count = probabilities.Length;
        if (count == 0)
        {
            return;
        }

        if (rows.Length != count * FeatureCount)
        {
            throw new ArgumentException($"{rows.Length} values do not make {count} rows of {FeatureCount} features", nameof(rows));
        }

        var pool = _pools.GetOrAdd(count, static _ => []);
        if (!pool.TryTake(out var buffers))
        {
            buffers = new Buffers(count, FeatureCount);
            _all.Add(buffers);
        }

        try
        {
            rows.CopyTo(buffers.Input);
            _session.Run(_runOptions, InputNames, buffers.Inputs, OutputNames, buffers.Outputs);
            buffers.Output.AsSpan(0, count).CopyTo(probabilities);
        }
        finally
        {
            pool.Add(buffers);
        }
    }

    /// <summary>
    /// Probabilities for <paramref name="count"/> rows at once (evaluation and tooling: whole data sets in chunks of 4096
    /// rows, buffers not pooled). The model is batch-invariant, so each row gets what it would get alone.
    /// </summary>
    public float[] Score(ReadOnlySpan<float> rows, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (rows.Length != count * FeatureCount)
        {
            throw new ArgumentException($"{count} rows of {FeatureCount} features need {count * FeatureCount} values; got {rows.Length}", nameof(rows));
        }

        var result = new float[count];
        for (var start = 0; start < count; start += ScoreChunkRows)
        {
            var chunk = Math.Min(ScoreChunkRows, count - start);
            var input = rows.Slice(start * FeatureCount, chunk * FeatureCount).ToArray();
            var output = new float[chunk];
            using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [chunk, FeatureCount]);
            using var outputValue = OrtValue.CreateTensorValueFromMemory(output, [chunk, 1]);
            _session.Run(_runOptions, InputNames, [inputValue], OutputNames, [outputValue]);
            output.CopyTo(result.AsSpan(start));
        }

        return result;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var buffers in _all)
        {
            buffers.Dispose();
        }

        _runOptions.Dispose();
        _session.Dispose();
    }

    private static int CheckContract(InferenceSession session, string modelPath)
    {
        if (!session.InputMetadata.TryGetValue(InputName, out var input) || session.InputMetadata.Count != 1)
        {
            throw new ModelPackageException("onnx-contract", $"'{modelPath}' must have exactly one input named '{InputName}' (has: {string.Join(", ", session.InputMetadata.Keys)})");
        }

        if (!session.OutputMetadata.TryGetValue(OutputName, out var output))
        {
            throw new ModelPackageException("onnx-contract", $"'{modelPath}' has no output named '{OutputName}' (has: {string.Join(", ", session.OutputMetadata.Keys)})");
        }

        if (input.ElementDataType != TensorElementType.Float || input.Dimensions.Length != 2 || input.Dimensions[1] <= 0)
        {
            throw new ModelPackageException("onnx-contract", $"'{modelPath}': input '{InputName}' must be float32 [N, F] with a fixed F");
        }

        if (output.ElementDataType != TensorElementType.Float || output.Dimensions.Length != 2 || output.Dimensions[1] != 1)
        {
            throw new ModelPackageException("onnx-contract", $"'{modelPath}': output '{OutputName}' must be float32 [N, 1]");
        }

        return input.Dimensions[1];
    }

    /// <summary>Pinned input and output arrays wrapped once in <see cref="OrtValue"/>s for one batch size.</summary>
    private sealed class Buffers : IDisposable
    {
        public Buffers(int rows, int features)
        {
            Input = new float[rows * features];
            Output = new float[rows];
            Inputs = [OrtValue.CreateTensorValueFromMemory(Input, [rows, features])];
            Outputs = [OrtValue.CreateTensorValueFromMemory(Output, [rows, 1])];
        }

        public float[] Input { get; }

        public float[] Output { get; }

        public OrtValue[] Inputs { get; }

        public OrtValue[] Outputs { get; }

        public void Dispose()
        {
            Inputs[0].Dispose();
            Outputs[0].Dispose();
        }
    }
}
