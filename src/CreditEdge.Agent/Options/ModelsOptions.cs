using System.ComponentModel.DataAnnotations;
using CreditEdge.Inference;
using Microsoft.ML.OnnxRuntime;

namespace CreditEdge.Agent.Options;

/// <summary>Model selection and trust (section <c>Models</c>).</summary>
public sealed class ModelsOptions
{
    public const string SectionName = "Models";

    /// <summary>Name of the trust directory under the data directory when <see cref="TrustDirectory"/> is not set.</summary>
    public const string DefaultTrustDirectoryName = "trust";

    /// <summary>
    /// Public keys (<c>*.pem</c>, SubjectPublicKeyInfo) whose package signatures the device accepts. Default
    /// <c>&lt;DataDirectory&gt;/trust</c>. With at least one key there, a package is loaded only when its
    /// <c>manifest.cose</c> verifies against one of them; with none, signatures are not enforced (a warning is logged).
    /// </summary>
    public string? TrustDirectory { get; set; }

    /// <summary>
    /// Which variant to run: a variant name (<c>fp32</c>, <c>int8</c>), or <c>auto</c> (default): at load every variant
    /// replays golden on this CPU and is timed, and the fastest that passed runs — the quantized one where it is not slower.
    /// </summary>
    [Required]
    public string Variant { get; set; } = "auto";

    /// <summary>ORT threads per scoring call. Default 1: best for single applicants.</summary>
    [Range(1, 64)]
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>
    /// <c>Cpu</c> (default), <c>Cuda</c> or <c>TensorRt</c> (Jetson-class boards whose ONNX Runtime build has them). One the
    /// device's ORT build lacks falls back to the CPU with a Warning naming what the build has; <c>GET /v1/model</c> shows
    /// what runs (<c>executionProvider</c>).
    /// </summary>
    public ExecutionProviderKind ExecutionProvider { get; set; } = ExecutionProviderKind.Cpu;

    /// <summary>ORT's CPU memory arena. Default on; off trades a little speed for less resident memory on a 1–2 GB board.</summary>
    public bool MemoryArena { get; set; } = true;

    /// <summary>ORT graph optimization level (<c>ORT_ENABLE_ALL</c> default, <c>ORT_ENABLE_EXTENDED</c>, <c>ORT_ENABLE_BASIC</c>, <c>ORT_DISABLE_ALL</c>); golden must still pass.</summary>
    public GraphOptimizationLevel OptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Directory of models optimized on this device (faster loads on a slow board); empty (default) = no cache.</summary>
    public string? OptimizedModelCache { get; set; }

    /// <summary>The ORT session settings these options ask for.</summary>
    public OnnxScorerOptions ScorerOptions() => new()
    {
        IntraOpThreads = IntraOpThreads,
        ExecutionProvider = ExecutionProvider,
        MemoryArena = MemoryArena,
        OptimizationLevel = OptimizationLevel,
        OptimizedModelCache = string.IsNullOrWhiteSpace(OptimizedModelCache) ? null : OptimizedModelCache,
    };

    /// <summary><see cref="TrustDirectory"/>, or <c>trust</c> under <paramref name="dataDirectory"/> when it is not set.</summary>
    public string TrustDirectoryOrDefault(string dataDirectory) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(TrustDirectory) ? Path.Combine(dataDirectory, DefaultTrustDirectoryName) : TrustDirectory);
}
