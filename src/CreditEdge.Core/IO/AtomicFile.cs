namespace CreditEdge.Core.IO;

/// <summary>Replaces a small file so that after a power cut at any instant it holds the old bytes or the new ones.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes a temporary file beside <paramref name="path"/> (<c>path.tmp-&lt;guid&gt;</c>), fsyncs it, renames it over,
    /// fsyncs the directory. <paramref name="onSynced"/> is told each path right after its fsync (the temporary file,
    /// then the directory), for tests that check the order. <paramref name="unixCreateMode"/>, when given, is the mode the
    /// temporary file is created with (so a 0600 file is never readable by others, not even for an instant).
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes, Action<string>? onSynced = null, UnixFileMode? unixCreateMode = null)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = $"{full}.tmp-{Guid.NewGuid():N}";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (unixCreateMode is { } mode && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            onSynced?.Invoke(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        DirectorySync.Flush(directory);
        onSynced?.Invoke(directory);
    }
}
