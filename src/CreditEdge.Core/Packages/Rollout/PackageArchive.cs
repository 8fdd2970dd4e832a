using System.Formats.Tar;
using System.Text;

namespace CreditEdge.Core.Packages.Rollout;

/// <summary>
/// A package directory as one file for transfer: a POSIX ustar archive of <b>every</b> regular file in the directory,
/// subdirectories included (the set <c>manifest.cose</c> covers, plus <c>manifest.cose</c> itself). Deterministic: entries
/// sorted by ordinal relative path (<c>/</c>-separated), modification time the Unix epoch, mode 0644, uid/gid 0, no user or
/// group names, no directory entries — the same directory always gives the same bytes, so the same SHA-256.
/// </summary>
public static class PackageArchive
{
    /// <summary>The modification time of every entry: the Unix epoch.</summary>
    public static readonly DateTimeOffset EntryTime = DateTimeOffset.UnixEpoch;

    /// <summary>Mode of every entry, and of every file <see cref="Extract"/> writes: 0644.</summary>
    public const UnixFileMode EntryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Longest entry name accepted.</summary>
    public const int MaxNameLength = 255;

    private const int BlockSize = 512;

    /// <summary>
    /// Writes the archive of <paramref name="packageDirectory"/> to <paramref name="destination"/> (left open), one file at a
    /// time (never the whole package in memory). Refuses (<see cref="ModelPackageException"/>, <c>archive-path</c>) a file
    /// whose relative path <see cref="Extract"/> would refuse, so every archive made here can be extracted.
    /// </summary>
    public static void Create(string packageDirectory, Stream destination)
    {
        ArgumentException.ThrowIfNullOrEmpty(packageDirectory);
        ArgumentNullException.ThrowIfNull(destination);
        var directory = Path.GetFullPath(packageDirectory);
        if (!Directory.Exists(directory))
        {
            throw new ModelPackageException("directory", $"'{directory}' does not exist");
        }

        var files = Directory.EnumerateFiles(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(path => (Path: path, Name: Path.GetRelativePath(directory, path).Replace(Path.DirectorySeparatorChar, '/')))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            throw new ModelPackageException("directory", $"'{directory}' holds no file");
        }

        using var writer = new TarWriter(destination, TarEntryFormat.Ustar, leaveOpen: true);
        foreach (var (path, name) in files)
        {
            if (NameProblem(name) is { } problem)
            {
                throw new ModelPackageException(ArchiveChecks.Path, $"'{Printable(name)}' cannot travel in a package archive: {problem}");
            }

            using var data = File.OpenRead(path);
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name)
            {
                ModificationTime = EntryTime,
                Mode = EntryMode,
                Uid = 0,
                Gid = 0,
                UserName = string.Empty,
                GroupName = string.Empty,
                DataStream = data,
            });
        }
    }

    /// <summary>
    /// Extracts an archive into <paramref name="stagingDirectory"/> (created if missing; it must be empty), reading the
    /// archive once, forward only. Every file is written with mode 0644 whatever its header says, and fsynced. Directory
    /// entries are refused like any other non-file entry: <see cref="Create"/> writes none. Returns the extracted relative
    /// paths in archive order. On any refusal (<see cref="ModelPackageException"/> with one of <see cref="ArchiveChecks"/>)
    /// or failure, everything written is deleted (and the staging directory too, if this call created it).
    /// </summary>
    public static IReadOnlyList<string> Extract(Stream archive, string stagingDirectory, PackageArchiveLimits limits)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentException.ThrowIfNullOrEmpty(stagingDirectory);
        ArgumentNullException.ThrowIfNull(limits);
        var staging = Path.GetFullPath(stagingDirectory);
        var created = !Directory.Exists(staging);
        if (!created && Directory.EnumerateFileSystemEntries(staging).Any())
        {
            throw new IOException($"staging directory '{staging}' is not empty");
        }

        Directory.CreateDirectory(staging);
        try
        {
            return ExtractInto(archive, staging, limits);
        }
        catch
        {
            Clean(staging, created);
            throw;
        }
    }

    /// <summary>Why <paramref name="name"/> is not a safe relative file name, or null when it is.</summary>
    internal static string? NameProblem(string name)
    {
        if (name.Length == 0)
        {
            return "the name is empty";
        }

        if (name.Length > MaxNameLength)
        {
            return $"the name has {name.Length} characters; at most {MaxNameLength} are accepted";
        }

        if (name.Any(char.IsControl))
        {
            return "the name has a control character";
        }

        if (name.Contains('\\', StringComparison.Ordinal))
        {
            return "the name has a backslash";
        }

        if (name[0] == '/')
        {
            return "the name is absolute";
        }

        foreach (var segment in name.Split('/'))
        {
            if (segment.Length == 0)
            {
                return "the name has an empty segment";
            }

            if (segment is "." or "..")
            {
                return $"the name has a '{segment}' segment";
            }
        }

        return null;
    }

    private static List<string> ExtractInto(Stream archive, string staging, PackageArchiveLimits limits)
    {
        var counting = new ReadCountingStream(archive);
        using var reader = new TarReader(counting, leaveOpen: true);
        var root = staging + Path.DirectorySeparatorChar;
        var names = new List<string>();
        var files = new HashSet<string>(StringComparer.Ordinal);
        var directories = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        long entryEnd = 0;
        var buffer = new byte[81920];
        while (Read(() => reader.GetNextEntry(copyData: false), "a header") is { } entry)
        {
            if (names.Count >= limits.MaxEntries)
            {
                throw Refused(ArchiveChecks.Entries, $"the archive has more than {limits.MaxEntries} entries");
            }

            var name = entry.Name;
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
            {
                throw Refused(ArchiveChecks.EntryType, $"'{Printable(name)}' is a {entry.EntryType} entry; a package archive holds regular files only");
            }

            var target = CheckedTarget(name, root, files, directories);
            if (entry.Length < 0 || entry.Length > limits.MaxTotalBytes - total)
            {
                throw Refused(ArchiveChecks.Size, $"'{Printable(name)}' ({entry.Length} bytes) takes the archive over {limits.MaxTotalBytes} bytes");
            }

            total += entry.Length;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            WriteFile(entry, name, target, buffer);
            names.Add(name);
            entryEnd = RoundUp(counting.BytesRead);
        }

        if (names.Count == 0)
        {
            throw Refused(ArchiveChecks.Format, "the archive holds no file");
        }

        // the reader stops at the end-of-archive blocks, or at the end of the stream: only a zero block read after the last
        // entry's data (and padding) tells an archive that ended from one that was cut short at an entry boundary
        if (counting.BytesRead - entryEnd < BlockSize)
        {
            throw Refused(ArchiveChecks.Format, "the archive ends without its end-of-archive blocks (cut short?)");
        }

        return names;
    }

    /// <summary>The full path of a new entry, after every path check; records its name and parent directories.</summary>
    private static string CheckedTarget(string name, string root, HashSet<string> files, HashSet<string> directories)
    {
        if (NameProblem(name) is { } problem)
        {
            throw Refused(ArchiveChecks.Path, $"'{Printable(name)}': {problem}");
        }

        var target = Path.GetFullPath(Path.Combine(root, name));
        if (!target.StartsWith(root, StringComparison.Ordinal))
        {
            throw Refused(ArchiveChecks.Path, $"'{Printable(name)}' resolves outside the staging directory");
        }

        if (files.Contains(name))
        {
            throw Refused(ArchiveChecks.Duplicate, $"'{Printable(name)}' is in the archive twice");
        }

        if (directories.Contains(name))
        {
            throw Refused(ArchiveChecks.Path, $"'{Printable(name)}' is both a file and the directory of another entry");
        }

        for (var slash = name.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = name.IndexOf('/', slash + 1))
        {
            var parent = name[..slash];
            if (files.Contains(parent))
            {
                throw Refused(ArchiveChecks.Path, $"'{Printable(name)}' needs '{Printable(parent)}' as a directory, but it is a file");
            }

            directories.Add(parent);
        }

        files.Add(name);
        return target;
    }

    private static void WriteFile(TarEntry entry, string name, string target, byte[] buffer)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = EntryMode;
        }

        using var output = new FileStream(target, options);
        var data = entry.DataStream;
        long copied = 0;
        while (data is not null && copied < entry.Length)
        {
            var want = (int)Math.Min(buffer.Length, entry.Length - copied);
            var read = Read(() => data.Read(buffer, 0, want), $"the data of '{Printable(name)}'");
            if (read == 0)
            {
                break;
            }

            output.Write(buffer, 0, read);
            copied += read;
        }

        if (copied != entry.Length)
        {
            throw Refused(ArchiveChecks.Format, $"'{Printable(name)}' declares {entry.Length} bytes but the archive ends after {copied}");
        }

        output.Flush(flushToDisk: true);
    }

    /// <summary>Runs one read of the archive; a malformed or cut-short archive becomes an <c>archive-format</c> refusal.</summary>
    private static T Read<T>(Func<T> read, string what)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException or OverflowException or ArgumentException)
        {
            throw new ModelPackageException(ArchiveChecks.Format, $"the archive is not a valid tar at {what}: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }
        catch (NotSupportedException ex)
        {
            // TarReader refuses some entry types outright (e.g. GNU sparse files) rather than returning them
            throw new ModelPackageException(ArchiveChecks.EntryType, $"the archive holds an entry type no package has, at {what}: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }
    }

    private static long RoundUp(long position) => (position + BlockSize - 1) / BlockSize * BlockSize;

    private static ModelPackageException Refused(string check, string message) => new(check, message);

    private static void Clean(string staging, bool created)
    {
        if (!Directory.Exists(staging))
        {
            return;
        }

        if (created)
        {
            Directory.Delete(staging, recursive: true);
            return;
        }

        foreach (var entry in new DirectoryInfo(staging).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }

    /// <summary>A name as it can be shown on one line: control characters escaped, at most 100 characters.</summary>
    private static string Printable(string name)
    {
        var text = new StringBuilder();
        foreach (var c in name.Length > 100 ? name[..100] : name)
        {
            text.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return name.Length > 100 ? text + "…" : text.ToString();
    }
}
