using System.Text.Json.Nodes;
using CreditEdge.KernelPaths.Tests;

namespace CreditEdge.Release.Tests;

/// <summary>
/// <c>install.sh --root SCRATCH creditedge-VERSION-linux-x64.tar.gz</c>: the tree and modes it writes, that it can run
/// again, what it refuses, and the same script as the .deb's postinst runs it (the tree already in /opt/creditedge).
/// </summary>
[Collection(SharedReleaseBuild.Name)]
public sealed class InstallTests(ReleaseBuild build) : IDisposable
{
    private readonly ScratchRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Install_IntoScratchRoot_WritesTheTreeWithItsModes()
    {
        var release = await build.GetAsync("linux-x64");

        await _root.InstallAsync(release);

        Assert.All(ReleaseArtefactTests.ReleaseFiles, f => Assert.True(File.Exists(_root.In($"/opt/creditedge/{f}")), $"/opt/creditedge/{f} is missing"));
        Assert.Equal(Mode("755"), _root.Mode("/opt/creditedge"));
        Assert.Equal(Mode("755"), _root.Mode("/opt/creditedge/creditedge-agent"));
        Assert.Equal(Mode("755"), _root.Mode("/opt/creditedge/enroll.sh"));
        Assert.Equal(Mode("644"), _root.Mode("/opt/creditedge/models/default/manifest.json"));
        Assert.Equal(Mode("700"), _root.Mode("/var/lib/creditedge"));
        Assert.Equal(Mode("750"), _root.Mode("/etc/creditedge"));
        Assert.Equal(Mode("640"), _root.Mode("/etc/creditedge/agent.json"));
        Assert.Equal(Mode("644"), _root.Mode("/etc/systemd/system/creditedge-agent.service"));
        Assert.Equal(File.ReadAllText(SystemdAnalyze.ShippedUnit), File.ReadAllText(_root.In("/etc/systemd/system/creditedge-agent.service")));
        Assert.Equal(File.ReadAllText(Path.Combine(release.Tree, "agent.json.example")), File.ReadAllText(_root.ConfigFile));
        // enabled offline, as `systemctl enable` would on the board
        Assert.Equal("/etc/systemd/system/creditedge-agent.service",
            new FileInfo(_root.In("/etc/systemd/system/multi-user.target.wants/creditedge-agent.service")).LinkTarget);
        // the agent makes its own storage key on first start (0600, its user), never the installer
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root.DataDirectory));
    }

    [Fact]
    public async Task Install_Twice_KeepsTheEditedAgentJsonAndReplacesTheTree()
    {
        var release = await build.GetAsync("linux-x64");
        await _root.InstallAsync(release);
        _root.EditConfig(c => c["DeviceId"] = "edited-before-upgrade");
        File.WriteAllText(_root.In("/opt/creditedge/left-from-an-earlier-release"), "x");

        var output = await _root.InstallAsync(release);

        Assert.Contains("kept", output, StringComparison.Ordinal);
        Assert.Equal("edited-before-upgrade", JsonNode.Parse(File.ReadAllText(_root.ConfigFile))!["DeviceId"]!.GetValue<string>());
        Assert.False(File.Exists(_root.In("/opt/creditedge/left-from-an-earlier-release")), "the release tree is replaced as a whole");
        Assert.True(File.Exists(_root.Agent));
        Assert.False(Directory.Exists(_root.In("/opt/creditedge.new")) || Directory.Exists(_root.In("/opt/creditedge.old")));
    }

    [Fact]
    public async Task Install_FromTheUnpackedDeb_InstallsInPlaceAsItsPostinstDoes()
    {
        var release = await build.GetAsync("linux-x64");
        await Tools.RunCheckedAsync("dpkg-deb", "dpkg", "--extract", release.Deb, _root.Path);

        var (exitCode, output) = await _root.RunScriptAsync(_root.In("/opt/creditedge/install.sh"), _root.In("/opt/creditedge"));

        Assert.True(exitCode == 0, output);
        Assert.True(File.Exists(_root.Agent));
        Assert.True(File.Exists(_root.ConfigFile));
        Assert.True(File.Exists(_root.In("/etc/systemd/system/creditedge-agent.service")));
        Assert.Equal(Mode("700"), _root.Mode("/var/lib/creditedge"));
    }

    [Fact]
    public async Task Install_FromADirectoryWithoutAnAgent_RefusesAndSaysWhatItNeeds()
    {
        var release = await build.GetAsync("linux-x64");
        var empty = Directory.CreateDirectory(_root.In("/not-a-release")).FullName;

        var (exitCode, output) = await _root.RunScriptAsync(Path.Combine(release.Tree, "install.sh"), empty);

        Assert.Equal(1, exitCode);
        Assert.Contains("holds no creditedge-agent", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_root.In("/opt/creditedge")));
    }

    [Theory]
    [InlineData("install.sh")]
    [InlineData("enroll.sh")]
    public async Task Script_Help_PrintsUsageAndExitsZero(string script)
    {
        var release = await build.GetAsync("linux-x64");

        var (exitCode, output) = await ProcessRun.RunAsync("bash", [Path.Combine(release.Tree, script), "--help"]);

        Assert.Equal(0, exitCode);
        Assert.StartsWith($"Usage: sudo ./{script}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_InstalledTree_PrintsNothing()
    {
        var release = await build.GetAsync("linux-x64");
        await _root.InstallAsync(release);

        var (exitCode, output) = await SystemdAnalyze.VerifyAsync(_root.Path);

        Assert.True(exitCode == 0 && output.Length == 0, $"systemd-analyze verify --root (exit {exitCode}) printed:\n{output}");
    }

    private static UnixFileMode Mode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);
}
