using System.Diagnostics;

namespace CreditEdge.TestKit;

/// <summary>
/// A real, small file system (tmpfs of a few MiB, mounted on a fresh directory) that a test can fill until writes fail with
/// "No space left on device" and empty again. Needs root (mount); a test that cannot mount fails saying so.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private readonly string _filler;

    public SmallDisk(int sizeMiB)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"creditedge-disk-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
        Run("mount", "-t", "tmpfs", "-o", $"size={sizeMiB}m,mode=0755", "tmpfs", Path);
        _filler = System.IO.Path.Combine(Path, "filler");
    }

    /// <summary>Where the file system is mounted.</summary>
    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Writes a filler file until the file system is full (ENOSPC); returns the bytes it took.</summary>
    public long Fill()
    {
        var block = new byte[64 * 1024];
        using var file = new FileStream(_filler, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        long written = 0;
        try
        {
            while (true)
            {
                file.Write(block);
                written += block.Length;
            }
        }
        catch (IOException)
        {
            // full: now try the last bytes one small block at a time, so not even a page is left
        }

        var small = new byte[512];
        try
        {
            while (true)
            {
                file.Write(small);
                written += small.Length;
            }
        }
        catch (IOException)
        {
            return written;
        }
    }

    /// <summary>Deletes the filler file: the space comes back.</summary>
    public void Free() => File.Delete(_filler);

    public void Dispose()
    {
        try
        {
            Run("umount", "-l", Path);
            Directory.Delete(Path, recursive: true);
        }
        catch (InvalidOperationException)
        {
            // nothing mounted; the directory stays for the OS to clean
        }
        catch (IOException)
        {
        }
    }

    private static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot run {file}");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {string.Join(' ', args)}' failed ({process.ExitCode}): {error.Trim()} — the disk-full tests mount a small tmpfs and need root");
        }
    }
}
