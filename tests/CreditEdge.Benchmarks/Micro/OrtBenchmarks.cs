using BenchmarkDotNet.Attributes;
using CreditEdge.Core.Packages;
using CreditEdge.Inference;
using Microsoft.ML.OnnxRuntime;

namespace CreditEdge.Benchmarks.Micro;

/// <summary>
/// Raw ONNX Runtime cost: one row through the pooled scorer, the same call on a bare <see cref="InferenceSession"/>
/// with OrtValues created once (so the wrapper's overhead shows), and the 22-row batch the decision path runs.
/// </summary>
public class OrtBenchmarks : IDisposable
{
    private static readonly string[] InputNames = [ModelContract.InputName];
    private static readonly string[] OutputNames = [ModelContract.OutputName];

    private readonly float[] _probability = new float[1];
    private bool _disposed;
    private OnnxScorer _scorer = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtValue[] _inputs = [];
    private OrtValue[] _outputs = [];
    private float[] _row = [];
    private float[] _batch = [];
    private float[] _batchProbabilities = [];
    private float[] _sessionOutput = [];

    [GlobalSetup]
    public void Setup()
    {
        using var model = LoadedModel.Load(Repo.DefaultModel);
        var package = model.Package;
        _scorer = OnnxScorer.Load(package.PathOf(model.Variant));

        var features = _scorer.FeatureCount;
        _row = new float[features];
        var first = GoldenRow.First(package);
        first.CopyTo(_row);

        var rows = package.Attribution.BatchRows;
        _batch = new float[rows * features];
        package.Attribution.FillBatch(_row, _batch);
        _batchProbabilities = new float[rows];

        // the same session settings as OnnxScorer: one intra-op thread, sequential, all graph optimizations
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(package.PathOf(model.Variant), options);
        _runOptions = new RunOptions();
        _sessionOutput = new float[1];
        _inputs = [OrtValue.CreateTensorValueFromMemory(_row, [1, features])];
        _outputs = [OrtValue.CreateTensorValueFromMemory(_sessionOutput, [1, 1])];
    }

    [Benchmark(Description = "OnnxScorer.Predict, 1 row")]
    public float ScorerOneRow()
    {
        _scorer.Predict(_row, _probability);
        return _probability[0];
    }

    [Benchmark(Description = "InferenceSession.Run, 1 row, OrtValues made once")]
    public float SessionOneRow()
    {
        _session.Run(_runOptions, InputNames, _inputs, OutputNames, _outputs);
        return _sessionOutput[0];
    }

    [Benchmark(Description = "OnnxScorer.Predict, 22-row reason batch")]
    public float ScorerReasonBatch()
    {
        _scorer.Predict(_batch, _batchProbabilities);
        return _batchProbabilities[0];
    }

    [GlobalCleanup]
    public void Cleanup() => Dispose();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _inputs[0].Dispose();
        _outputs[0].Dispose();
        _runOptions.Dispose();
        _session.Dispose();
        _scorer.Dispose();
        GC.SuppressFinalize(this);
    }
}
