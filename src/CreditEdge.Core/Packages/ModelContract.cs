namespace CreditEdge.Core.Packages;

/// <summary>
/// The one interface every ONNX file of a package has (README, "Model package"): input <see cref="InputName"/>, float32
/// [N, F] raw values in manifest order; output <see cref="OutputName"/>, float32 [N, 1], the probability of default.
/// The agent, <c>cedge</c> and the toolchain all name the tensors through this class.
/// </summary>
public static class ModelContract
{
    public const string InputName = "features";

    public const string OutputName = "probability";

    /// <summary>Largest accepted |expected − replayed| probability when a variant replays <c>golden.jsonl</c>.</summary>
    public const double GoldenTolerance = 1e-5;
}
