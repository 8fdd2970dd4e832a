using System.Diagnostics;
using System.Globalization;
using CreditEdge.Core.IO;
using CreditEdge.TestKit;

namespace CreditEdge.Core.Tests.IO;

public sealed class FileOwnerTests : IDisposable
{
    private readonly TempDirectory _temp = new("file-owner");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Of_FileThisProcessCreated_SameAsStatSays()
    {
        var path = _temp.Combine("f");
        File.WriteAllText(path, "x");

        var (uid, gid) = FileOwner.Of(path);

        Assert.Equal(Stat("%u", path), uid);
        Assert.Equal(Stat("%g", path), gid);
    }

    [Fact]
    public void Change_ToAnotherOwner_StatAndOfAgree()
    {
        // giving a file away takes root (the tests run as root, like the kernel-path tests); otherwise chown to oneself
        var path = _temp.Combine("f");
        File.WriteAllText(path, "x");
        var (uid, gid) = Environment.IsPrivilegedProcess ? (1234u, 5678u) : FileOwner.Of(_temp.Path);

        FileOwner.Change(path, uid, gid);

        Assert.Equal((uid, gid), FileOwner.Of(path));
        Assert.Equal(uid, Stat("%u", path));
        Assert.Equal(gid, Stat("%g", path));
    }

    [Fact]
    public void Of_MissingFile_IOExceptionNamingIt()
    {
        var path = _temp.Combine("missing");

        var ex = Assert.Throws<IOException>(() => FileOwner.Of(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    private static uint Stat(string format, string path)
    {
        using var process = Process.Start(new ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true })!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return uint.Parse(text.Trim(), CultureInfo.InvariantCulture);
    }
}
