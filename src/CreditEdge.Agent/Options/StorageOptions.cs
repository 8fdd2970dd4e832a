namespace CreditEdge.Agent.Options;

/// <summary>Decision store (section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Key file that encrypts the decision store. Default <c>&lt;DataDirectory&gt;/storage.key</c>, created 0600 on first start.</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// Most decisions waiting for sync. When reached, new decisions are refused with 503 (and <c>/readyz</c> fails) rather
    /// than any stored decision being dropped. Default 500,000.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, long.MaxValue)]
    public long MaxOutbox { get; set; } = 500_000;

    /// <summary>
    /// After a failed write (a full or failing disk) the store retries a small probe commit after this delay, doubling up
    /// to <see cref="ProbeMaxDelay"/>; the first success makes it writable again without a restart. Default 1 s.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ProbeMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between write probes while the store is unwritable. Default 30 s.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ProbeMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A commit still running after this long means the disk stopped answering (no error, writes just never return):
    /// <c>/readyz</c> fails naming it and the systemd watchdog pings stop, so systemd restarts the agent if it lasts.
    /// Default 10 s (a healthy commit with its fsyncs takes milliseconds, an SD card's worst a second or two).
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Decisions older than this many days are deleted from the device once the broker has acknowledged them (the office
    /// holds them); never one that is not yet synced. The audit chain keeps the hash of the last deleted link and verifies
    /// from there. 0 (default) keeps every decision; a kiosk usually sets 90.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(0, 36_500)]
    public int RetentionDays { get; set; }

    /// <summary>
    /// True (default): every decision is fsynced before it is answered. False: never fsynced (a power cut loses the last
    /// seconds of answered decisions) — only for measuring what durability costs; the agent warns at start.
    /// </summary>
    public bool Durable { get; set; } = true;

    /// <summary>How often retention runs (and once at start). Default 1 hour.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);
}
