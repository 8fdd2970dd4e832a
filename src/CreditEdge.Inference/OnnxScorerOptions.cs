using Microsoft.ML.OnnxRuntime;

namespace CreditEdge.Inference;

/// <summary>How an ONNX Runtime session is set up for scoring: the one place the agent, <c>cedge</c> and the toolchain take it from.</summary>
public sealed record OnnxScorerOptions
{
    /// <summary>Threads ORT may use inside one call. Default 1: best for single applicants, and the host runs requests in parallel.</summary>
    public int IntraOpThreads { get; init; } = 1;

    public static OnnxScorerOptions Default { get; } = new();

    /// <summary>
    /// Session options for a package model: all graph optimizations (so QDQ fuses into QGemm, as golden values were made),
    /// sequential execution, one inter-op thread. The caller disposes them.
    /// </summary>
    public SessionOptions CreateSessionOptions() => new()
    {
        IntraOpNumThreads = IntraOpThreads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };
}
