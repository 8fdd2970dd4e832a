namespace CreditEdge.Agent.Options;

/// <summary>Decision store (section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Key file that encrypts the decision store. Default <c>&lt;DataDirectory&gt;/storage.key</c>, created 0600 on first start.</summary>
    public string? KeyFile { get; set; }
}
