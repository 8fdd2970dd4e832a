namespace CreditEdge.Core.Packages.Rollout;

/// <summary>The check names a refused package archive carries in <see cref="ModelPackageException.Check"/>.</summary>
public static class ArchiveChecks
{
    /// <summary>Not a POSIX tar, a corrupt header, or cut short (an entry's data or the end-of-archive blocks missing).</summary>
    public const string Format = "archive-format";

    /// <summary>An entry that is not a regular file: symbolic or hard link, device, FIFO, directory, or anything else.</summary>
    public const string EntryType = "archive-entry-type";

    /// <summary>
    /// An entry name that is empty, absolute, has an empty, <c>.</c> or <c>..</c> segment, a backslash, a control
    /// character (NUL included), or resolves outside the staging directory; or a file that is also another entry's directory.
    /// </summary>
    public const string Path = "archive-path";

    /// <summary>The same name twice.</summary>
    public const string Duplicate = "archive-duplicate";

    /// <summary>More entries than <see cref="PackageArchiveLimits.MaxEntries"/>.</summary>
    public const string Entries = "archive-entries";

    /// <summary>More file bytes in total than <see cref="PackageArchiveLimits.MaxTotalBytes"/>.</summary>
    public const string Size = "archive-size";
}
