namespace CreditEdge.Inference;

/// <summary>How an ONNX Runtime session is set up for scoring.</summary>
public sealed record OnnxScorerOptions
{
    /// <summary>Threads ORT may use inside one call. Default 1: best for single applicants, and the host runs requests in parallel.</summary>
    public int IntraOpThreads { get; init; } = 1;

    public static OnnxScorerOptions Default { get; } = new();
}
