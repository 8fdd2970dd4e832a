using System.Text.Json;
using CreditEdge.Core.Terminals;
using CreditEdge.TestKit;

namespace CreditEdge.Cli.Tests;

public sealed class TerminalCommandTests : IDisposable
{
    private readonly TempDirectory _data = new("cedge-terminal");

    public void Dispose() => _data.Dispose();

    private string RegistryPath => _data.Combine(TerminalRegistry.FileName);

    [Fact]
    public void TerminalAdd_NewId_PrintsKeyOnceAndStoresOnlyItsHash0600()
    {
        var result = Cedge.Run("terminal", "add", "--data-dir", _data.Path, "--id", "handheld-07");

        Assert.Equal(0, result.ExitCode);
        var key = Assert.Single(result.OutputLines);
        Assert.StartsWith(TerminalRegistry.KeyPrefix, key, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(Base64UrlToBase64(key[TerminalRegistry.KeyPrefix.Length..])).Length);
        var text = File.ReadAllText(RegistryPath);
        Assert.DoesNotContain(key[TerminalRegistry.KeyPrefix.Length..], text, StringComparison.Ordinal);
        Assert.DoesNotContain(key, result.Error, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(RegistryPath));

        using var json = JsonDocument.Parse(text);
        var entry = Assert.Single(json.RootElement.EnumerateArray().ToList());
        Assert.Equal("handheld-07", entry.GetProperty("id").GetString());
        Assert.Equal(TerminalRegistry.HashKey(key), entry.GetProperty("keySha256").GetString());
        Assert.False(entry.TryGetProperty("revokedAt", out _));

        var list = Cedge.Run("terminal", "list", "--data-dir", _data.Path);
        Assert.Equal(0, list.ExitCode);
        Assert.DoesNotContain(key, list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(TerminalRegistry.HashKey(key), list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void TerminalAddTwice_DifferentKeys()
    {
        var first = Cedge.Run("terminal", "add", "--data-dir", _data.Path, "--id", "handheld-01");
        var second = Cedge.Run("terminal", "add", "--data-dir", _data.Path, "--id", "handheld-02");

        Assert.Equal(0, second.ExitCode);
        Assert.NotEqual(first.Output, second.Output);
        Assert.Equal(2, TerminalRegistry.Read(RegistryPath).Entries.Count);
    }

    [Fact]
    public void TerminalListRevoke_AddedTerminals_ShowsActiveThenRevoked()
    {
        Assert.Equal(0, Cedge.Run("terminal", "add", "--data-dir", _data.Path, "--id", "handheld-01").ExitCode);
        Assert.Equal(0, Cedge.Run("terminal", "add", "--data-dir", _data.Path, "--id", "handheld-02").ExitCode);

        var revoke = Cedge.Run("terminal", "revoke", "--data-dir", _data.Path, "--id", "handheld-01");
        var list = Cedge.Run("terminal", "list", "--data-dir", _data.Path);

        Assert.Equal(0, revoke.ExitCode);
        Assert.Equal(0, list.ExitCode);
        var lines = list.OutputLines;
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("id", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^handheld-01\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+revoked \d{4}-", lines[1]);
        Assert.Matches(@"^handheld-02\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+active$", lines[2]);
        var registry = TerminalRegistry.Read(RegistryPath);
        Assert.NotNull(registry.Find("handheld-01")!.RevokedAt);
        Assert.Null(registry.Find("handheld-02")!.RevokedAt);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(RegistryPath));
    }

    [Fact]
    public void TerminalList_NoRegistry_PrintsHeaderOnly()
    {
        var list = Cedge.Run("terminal", "list", "--data-dir", _data.Path);

        Assert.Equal(0, list.ExitCode);
        Assert.Single(list.OutputLines);
        Assert.False(File.Exists(RegistryPath));
    }

    [Fact]
    public void TerminalAdd_DuplicateId_RefusedAndRegistryUnchanged()
    {
        Assert.Equal(0, Cedge.Run("terminal", "add", "--data-dir", _data.Path, "--id", "handheld-07").ExitCode);
        var before = File.ReadAllBytes(RegistryPath);

        var result = Cedge.Run("terminal", "add", "--data-dir", _data.Path, "--id", "handheld-07");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("terminal 'handheld-07' already exists", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(RegistryPath));
    }

    [Fact]
    public void TerminalAdd_RevokedId_NeverReused()
    {
        Assert.Equal(0, Cedge.Run("terminal", "add", "--data-dir", _data.Path, "--id", "handheld-07").ExitCode);
        Assert.Equal(0, Cedge.Run("terminal", "revoke", "--data-dir", _data.Path, "--id", "handheld-07").ExitCode);

        var result = Cedge.Run("terminal", "add", "--data-dir", _data.Path, "--id", "handheld-07");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("never reused", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Handheld-07", "only lower-case letters, digits and '-'")]
    [InlineData("hand held", "only lower-case letters, digits and '-'")]
    [InlineData("handheld_07", "only lower-case letters, digits and '-'")]
    [InlineData("", "must not be empty")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "at most 64")]
    public void TerminalAdd_BadId_RefusedWithReasonAndNothingWritten(string id, string reason)
    {
        var result = Cedge.Run("terminal", "add", "--data-dir", _data.Path, "--id", id);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains(reason, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(RegistryPath));
    }

    [Fact]
    public void TerminalAdd_IdOf64Characters_Accepted()
    {
        Assert.Equal(0, Cedge.Run("terminal", "add", "--data-dir", _data.Path, "--id", new string('a', 64)).ExitCode);
    }

    [Fact]
    public void TerminalRevoke_UnknownId_Exit1WithReason()
    {
        Assert.Equal(0, Cedge.Run("terminal", "add", "--data-dir", _data.Path, "--id", "handheld-07").ExitCode);
        var before = File.ReadAllBytes(RegistryPath);

        var result = Cedge.Run("terminal", "revoke", "--data-dir", _data.Path, "--id", "handheld-99");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no terminal 'handheld-99'", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(RegistryPath));
    }

    [Fact]
    public void TerminalRevoke_AlreadyRevoked_Exit1WithReason()
    {
        Assert.Equal(0, Cedge.Run("terminal", "add", "--data-dir", _data.Path, "--id", "handheld-07").ExitCode);
        Assert.Equal(0, Cedge.Run("terminal", "revoke", "--data-dir", _data.Path, "--id", "handheld-07").ExitCode);

        var result = Cedge.Run("terminal", "revoke", "--data-dir", _data.Path, "--id", "handheld-07");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("already revoked", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[{\"id\":\"handheld-07\",\"keySha256\":\"ab\"")]
    [InlineData("[{\"id\":\"handheld-07\",\"keySha256\":\"nothex\",\"createdAt\":\"2026-12-01T00:00:00+00:00\"}]")]
    [InlineData("[{\"id\":\"Bad Id\",\"keySha256\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"createdAt\":\"2026-12-01T00:00:00+00:00\"}]")]
    [InlineData("[{\"id\":\"handheld-07\",\"createdAt\":\"2026-12-01T00:00:00+00:00\"}]")]
    [InlineData("{\"terminals\":[]}")]
    [InlineData("null")]
    public void TerminalCommands_DamagedRegistry_RefusedWithReasonAndFileByteIdentical(string damaged)
    {
        File.WriteAllText(RegistryPath, damaged);
        var before = File.ReadAllBytes(RegistryPath);

        foreach (var args in new[]
        {
            new[] { "terminal", "add", "--data-dir", _data.Path, "--id", "handheld-08" },
            ["terminal", "revoke", "--data-dir", _data.Path, "--id", "handheld-07"],
            ["terminal", "list", "--data-dir", _data.Path],
        })
        {
            var result = Cedge.Run(args);

            Assert.Equal(1, result.ExitCode);
            Assert.Empty(result.Output);
            var line = Assert.Single(result.ErrorLines);
            Assert.Contains($"the terminal registry {RegistryPath} is damaged (", line, StringComparison.Ordinal);
            Assert.Equal(before, File.ReadAllBytes(RegistryPath));
        }
    }

    [Fact]
    public void TerminalAdd_DuplicateIdInFile_RefusedAsDamaged()
    {
        const string Hash = "0000000000000000000000000000000000000000000000000000000000000000";
        File.WriteAllText(RegistryPath, $$"""[{"id":"a","keySha256":"{{Hash}}","createdAt":"2026-12-01T00:00:00+00:00"},{"id":"a","keySha256":"{{Hash[..63]}}1","createdAt":"2026-12-01T00:00:00+00:00"}]""");

        var result = Cedge.Run("terminal", "list", "--data-dir", _data.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("terminal 'a' is listed twice", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("add", "--id", "handheld-07")]
    [InlineData("revoke", "--id", "handheld-07")]
    [InlineData("list")]
    public void TerminalCommands_MissingDataDir_UsageError(params string[] args)
    {
        var result = Cedge.Run(["terminal", .. args]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--data-dir", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void TerminalAdd_DataDirDoesNotExist_UsageErrorAndNothingCreated()
    {
        var missing = _data.Combine("nope");

        var result = Cedge.Run("terminal", "add", "--data-dir", missing, "--id", "handheld-07");

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void TerminalAdd_AnotherRunHoldsTheLock_RefusedAfterWaiting()
    {
        using var held = TerminalRegistry.Lock(_data.Path, TimeSpan.Zero, TimeProvider.System);

        // the lock is per open file description (flock), so this process's second open is refused like another process's
        var result = Cedge.Run("terminal", "add", "--data-dir", _data.Path, "--id", "handheld-07");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("another cedge run is changing the terminals", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(RegistryPath));
    }

    [Fact]
    public void TerminalAdd_AsRoot_FilesGivenToTheDataDirectorysOwner()
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test gives files away with chown and needs root (as .ci/run runs)");
        Core.IO.FileOwner.Change(_data.Path, 1234, 5678); // the agent's user owns its data directory

        Assert.Equal(0, Cedge.Run("terminal", "add", "--data-dir", _data.Path, "--id", "handheld-07").ExitCode);

        Assert.Equal((1234u, 5678u), Core.IO.FileOwner.Of(RegistryPath));
        Assert.Equal((1234u, 5678u), Core.IO.FileOwner.Of(_data.Combine(TerminalRegistry.LockFileName)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(RegistryPath));
    }

    private static string Base64UrlToBase64(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return b.PadRight(b.Length + ((4 - (b.Length % 4)) % 4), '=');
    }
}
