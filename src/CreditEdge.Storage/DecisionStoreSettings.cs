namespace CreditEdge.Storage;

/// <summary>Where the decision store lives and how it is keyed.</summary>
public sealed record DecisionStoreSettings
{
    public const string DatabaseFile = "decisions.db";
    public const string LogFile = "decisions-log.db";
    public const string DefaultKeyFile = "storage.key";

    public required string DataDirectory { get; init; }

    /// <summary>Key file; default <c>&lt;DataDirectory&gt;/storage.key</c>.</summary>
    public string? KeyFile { get; init; }

    /// <summary>Most decisions committed (and fsynced) together.</summary>
    public int MaxBatch { get; init; } = 256;

    /// <summary>
    /// Most decisions waiting for sync. When reached, new decisions are refused (503) — never a stored one dropped.
    /// Default 500,000: weeks of a busy kiosk offline, a few hundred MB.
    /// </summary>
    public long MaxOutbox { get; init; } = 500_000;

    public string KeyFilePath => KeyFile ?? Path.Combine(DataDirectory, DefaultKeyFile);
}
