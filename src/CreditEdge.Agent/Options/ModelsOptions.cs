using System.ComponentModel.DataAnnotations;

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

    /// <summary><see cref="TrustDirectory"/>, or <c>trust</c> under <paramref name="dataDirectory"/> when it is not set.</summary>
    public string TrustDirectoryOrDefault(string dataDirectory) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(TrustDirectory) ? Path.Combine(dataDirectory, DefaultTrustDirectoryName) : TrustDirectory);
}
