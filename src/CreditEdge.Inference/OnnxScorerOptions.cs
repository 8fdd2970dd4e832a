using System.Globalization;
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;

namespace CreditEdge.Inference;

/// <summary>Where ORT runs a model: the CPU (every build), or a Jetson-class GPU where the device's ORT build has it.</summary>
public enum ExecutionProviderKind
{
    Cpu,
    Cuda,
    TensorRt,
}

/// <summary>How an ONNX Runtime session is set up for scoring: the one place the agent, <c>cedge</c> and the toolchain take it from.</summary>
public sealed record OnnxScorerOptions
{
    /// <summary>Threads ORT may use inside one call. Default 1: best for single applicants, and the host runs requests in parallel.</summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>
    /// The execution provider asked for. One this ORT build does not have (the NuGet package is CPU-only; a Jetson's build
    /// has CUDA and TensorRT) falls back to the CPU, and <see cref="OnnxScorer.ProviderNote"/> says why.
    /// </summary>
    public ExecutionProviderKind ExecutionProvider { get; init; } = ExecutionProviderKind.Cpu;

    /// <summary>ORT's CPU memory arena: faster steady state, more resident memory. Default on.</summary>
    public bool MemoryArena { get; init; } = true;

    /// <summary>
    /// Graph optimizations. Default all (so QDQ fuses into QGemm, as golden values were made); a lower level must still
    /// reproduce golden, which every load checks.
    /// </summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>
    /// A directory for optimized models: the first load writes the graph as optimized on this device, later loads open it
    /// with no optimization pass (a faster start on a slow board). Keyed by the model's SHA-256, the ORT version, the
    /// level and the provider; golden is replayed on every load all the same. Null (default): no cache.
    /// </summary>
    public string? OptimizedModelCache { get; init; }

    public static OnnxScorerOptions Default { get; } = new();

    /// <summary>
    /// Session options for a package model: sequential execution, one inter-op thread, the provider asked for when this ORT
    /// build has it (else the CPU, <paramref name="note"/> saying why). The caller disposes them.
    /// </summary>
    public SessionOptions CreateSessionOptions(out ExecutionProviderKind provider, out string? note)
    {
        var options = CpuSessionOptions();
        provider = ExecutionProviderKind.Cpu;
        note = null;
        if (ExecutionProvider == ExecutionProviderKind.Cpu)
        {
            return options;
        }

        var wanted = ExecutionProvider == ExecutionProviderKind.Cuda ? "CUDAExecutionProvider" : "TensorrtExecutionProvider";
        var available = OrtEnv.Instance().GetAvailableProviders();
        if (!available.Contains(wanted, StringComparer.Ordinal))
        {
            note = $"{ExecutionProvider} was asked for; this ONNX Runtime build has {string.Join(", ", available)}: running on the CPU";
            return options;
        }

        try
        {
            if (ExecutionProvider == ExecutionProviderKind.TensorRt)
            {
                options.AppendExecutionProvider_Tensorrt(0);
            }

            options.AppendExecutionProvider_CUDA(0); // TensorRT hands what it cannot run to CUDA, then the CPU
            provider = ExecutionProvider;
        }
        catch (OnnxRuntimeException ex)
        {
            options.Dispose();
            options = CpuSessionOptions();
            note = $"{ExecutionProvider} could not start ({ex.Message}): running on the CPU";
        }

        return options;
    }

    private SessionOptions CpuSessionOptions() => new()
    {
        IntraOpNumThreads = IntraOpThreads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = OptimizationLevel,
        EnableCpuMemArena = MemoryArena,
    };

    /// <summary>Path of <paramref name="modelPath"/>'s optimized copy in <see cref="OptimizedModelCache"/>; null with no cache.</summary>
    public string? CachedModelPath(string modelPath, ExecutionProviderKind provider)
    {
        if (string.IsNullOrWhiteSpace(OptimizedModelCache))
        {
            return null;
        }

        using var model = File.OpenRead(modelPath);
        var sha = Convert.ToHexStringLower(SHA256.HashData(model));
        var name = string.Create(CultureInfo.InvariantCulture, $"{sha}-ort{OrtEnv.Instance().GetVersionString()}-{OptimizationLevel}-{provider}.onnx");
        return Path.Combine(Path.GetFullPath(OptimizedModelCache), name.ToLowerInvariant());
    }
}
