namespace CreditEdge.Core.Packages.Rollout;

/// <summary>What <see cref="PackageArchive.Extract"/> accepts at most; anything beyond is refused before it is written.</summary>
public sealed record PackageArchiveLimits
{
    /// <summary>The limits a device applies unless configured otherwise: 256 files, 256 MiB.</summary>
    public static PackageArchiveLimits Default { get; } = new();

    /// <summary>Most entries (files) in one archive. Default 256: a package has about a dozen.</summary>
    public int MaxEntries { get; init; } = 256;

    /// <summary>Most bytes of file content in total, as declared by the headers and as actually read. Default 256 MiB.</summary>
    public long MaxTotalBytes { get; init; } = 256L * 1024 * 1024;
}
