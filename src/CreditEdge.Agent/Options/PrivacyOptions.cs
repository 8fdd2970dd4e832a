namespace CreditEdge.Agent.Options;

/// <summary>What the agent keeps of an applicant's identity (section <c>Privacy</c>).</summary>
public sealed class PrivacyOptions
{
    public const string SectionName = "Privacy";

    /// <summary>Default salt file name under the data directory.</summary>
    public const string DefaultSaltFileName = "applicant.salt";

    /// <summary>
    /// <c>Hash</c> (default): the <c>applicationId</c> of a request is stored, synced and returned as
    /// <c>hmac-sha256:</c> + hex under this device's salt. <c>Keep</c>: stored as given. Identifier and protected fields
    /// of a request are never stored either way.
    /// </summary>
    public ApplicationIdHandling ApplicationIds { get; set; } = ApplicationIdHandling.Hash;

    /// <summary>The device's secret salt (32 random bytes, base64, 0600). Default <c>&lt;DataDirectory&gt;/applicant.salt</c>, created on first start.</summary>
    public string? SaltFile { get; set; }
}
