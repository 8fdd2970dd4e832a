using System.ComponentModel.DataAnnotations;

namespace CreditEdge.Messaging.Transfer;

/// <summary>Limits and timings of a package download (configuration section <c>Transfer</c>). Every value has a default.</summary>
public sealed class PackageTransferOptions
{
    public const string SectionName = "Transfer";

    /// <summary>Largest archive a device accepts; a larger plan is refused before anything is fetched. Default 256 MiB.</summary>
    [Range(1L, long.MaxValue)]
    public long MaxPackageBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Largest chunk a device accepts (also its MQTT maximum packet size, plus room for the topic): the broker does not
    /// send a bigger message, and a payload longer than its chunk is refused before it is hashed. Default 1 MiB.
    /// </summary>
    [Range(1, 64 * 1024 * 1024)]
    public int MaxChunkBytes { get; set; } = 1024 * 1024;

    /// <summary>Free space kept beyond the transfer's own need (see <see cref="PackageDownloader"/>). Default 16 MiB.</summary>
    [Range(0L, long.MaxValue)]
    public long FreeSpaceMargin { get; set; } = 16L * 1024 * 1024;

    /// <summary>Chunk topics subscribed at once: at most this many chunks are on their way or in memory. Default 8.</summary>
    [Range(1, 256)]
    public int Window { get; set; } = 8;

    /// <summary>A chunk not received this long after its subscription is subscribed again (the broker redelivers the retained chunk). Default 30 s.</summary>
    public TimeSpan ChunkTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Deliveries of one chunk with the wrong bytes before the transfer fails with <c>chunk-hash</c>. Default 5.</summary>
    [Range(1, 1000)]
    public int MaxChunkAttempts { get; set; } = 5;
}
