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

    /// <summary>Check name: a variant returned NaN or ±∞ for a golden input — a broken model, on every CPU.</summary>
    public const string OutputNotFiniteCheck = "model-output-nan";

    /// <summary>Check name: a variant returned a value outside [0, 1] — not a probability.</summary>
    public const string OutputOutOfRangeCheck = "model-output-range";

    /// <summary>True for the checks that condemn a model whatever the CPU (so no other variant is tried in its place).</summary>
    public static bool IsOutputContractCheck(string check) => check is OutputNotFiniteCheck or OutputOutOfRangeCheck;

    /// <summary>Throws <see cref="ModelPackageException"/> when <paramref name="probability"/> is not a probability.</summary>
    public static void CheckOutput(float probability, string variant, int goldenLine)
    {
        if (!float.IsFinite(probability))
        {
            throw new ModelPackageException(OutputNotFiniteCheck, $"variant '{variant}' returned {probability} for golden line {goldenLine}; a probability must be a finite number");
        }

        if (probability is < 0f or > 1f)
        {
            throw new ModelPackageException(OutputOutOfRangeCheck, $"variant '{variant}' returned {probability:R} for golden line {goldenLine}; a probability lies in [0, 1]");
        }
    }
}
