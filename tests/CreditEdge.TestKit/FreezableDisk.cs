using System.Diagnostics;

namespace CreditEdge.TestKit;

/// <summary>
/// A real ext4 file system on a loop device (a 32 MiB image in the temp directory) that a test can freeze with
/// <c>fsfreeze</c>: while frozen, writes and fsyncs block — no error, they just never return — as on an SD card or a disk
/// that stalls. Reads go on. Needs root, <c>mkfs.ext4</c> (e2fsprogs), <c>fsfreeze</c> (util-linux) and a loop device;
/// a test that cannot set it up fails saying so. Disposing thaws it first, so a failing test never leaves writers hung.
/// </summary>
public sealed class FreezableDisk : IDisposable
{
    private readonly string _image;
    private bool _frozen;

    public FreezableDisk()
    {
        var name = $"creditedge-freeze-{Guid.NewGuid():N}";
        _image = System.IO.Path.Combine(System.IO.Path.GetTempPath(), name + ".img");
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), name);
        Directory.CreateDirectory(Path);
        using (var image = File.Create(_image))
        {
            image.SetLength(32L << 20);
        }

        Run("mkfs.ext4", "-q", "-F", _image);
        Run("mount", "-o", "loop", _image, Path);
    }

    /// <summary>Where the file system is mounted.</summary>
    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>From now on writes to this file system block until <see cref="Thaw"/>.</summary>
    public void Freeze()
    {
        Run("fsfreeze", "--freeze", Path);
        _frozen = true;
    }

    /// <summary>Blocked writes go through; new ones too.</summary>
    public void Thaw()
    {
        if (_frozen)
        {
            Run("fsfreeze", "--unfreeze", Path);
            _frozen = false;
        }
    }

    public void Dispose()
    {
        try
        {
            Thaw();
            Run("umount", "-l", Path);
            Directory.Delete(Path, recursive: true);
            File.Delete(_image);
        }
        catch (InvalidOperationException)
        {
            // not mounted; the files stay for the OS to clean
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

        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"'{file} {string.Join(' ', args)}' failed ({process.ExitCode}): {error.Trim()} — the stalled-disk tests need root and a loop device");
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"cannot run {file} ({ex.Message}): install e2fsprogs and util-linux", ex);
        }
    }
}
