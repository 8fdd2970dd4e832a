using System.ComponentModel.DataAnnotations;

namespace CreditEdge.Agent.Options;

/// <summary>Model selection and trust (section <c>Models</c>).</summary>
public sealed class ModelsOptions
{
    public const string SectionName = "Models";

    /// <summary>Public keys (PEM) whose package signatures the device accepts. Default <c>&lt;DataDirectory&gt;/trust</c>.</summary>
    public string? TrustDirectory { get; set; }

    /// <summary>Which variant to run: a variant name (<c>fp32</c>, <c>int8</c>) or <c>auto</c> (default: the package's first variant).</summary>
    [Required]
    public string Variant { get; set; } = "auto";

    /// <summary>ORT threads per scoring call. Default 1: best for single applicants.</summary>
    [Range(1, 64)]
    public int IntraOpThreads { get; set; } = 1;
}
