using System.Text.Json.Nodes;
using CreditEdge.KernelPaths.Tests;
using CreditEdge.TestKit;

namespace CreditEdge.Release.Tests;

/// <summary>A directory standing in for a board's <c>/</c>: what <c>install.sh --root</c> and <c>enroll.sh --root</c> write.</summary>
public sealed class ScratchRoot : IDisposable
{
    private readonly TempDirectory _dir;

    public ScratchRoot(string prefix = "scratch-root") => _dir = new TempDirectory(prefix);

    public string Path => _dir.Path;

    /// <summary>A path inside the root, written as on the board: <c>In("/etc/creditedge/agent.json")</c>.</summary>
    public string In(string absolute) => System.IO.Path.Combine(_dir.Path, absolute.TrimStart('/'));

    public string Agent => In("/opt/creditedge/creditedge-agent");

    public string ConfigFile => In("/etc/creditedge/agent.json");

    public string DataDirectory => In("/var/lib/creditedge");

    /// <summary>Runs a provisioning script of the installed release (or of <paramref name="release"/>) with <c>--root</c> this directory.</summary>
    public Task<(int ExitCode, string Output)> RunScriptAsync(string script, params string[] args) =>
        ProcessRun.RunAsync("bash", [script, "--root", _dir.Path, .. args]);

    /// <summary><c>install.sh --root ROOT RELEASE</c> with the install.sh inside the release; fails the test if it fails.</summary>
    public async Task<string> InstallAsync(ReleaseArtefact release)
    {
        var (exitCode, output) = await RunScriptAsync(System.IO.Path.Combine(release.Tree, "install.sh"), release.Tarball);
        Assert.True(exitCode == 0, $"install.sh --root {_dir.Path} {release.Tarball} exited {exitCode}:\n{output}");
        return output;
    }

    public UnixFileMode Mode(string absolute) => File.GetUnixFileMode(In(absolute));

    /// <summary>Reads, changes and writes back the installed agent.json (the file keeps its inode, owner and mode).</summary>
    public void EditConfig(Action<JsonObject> edit)
    {
        var config = JsonNode.Parse(File.ReadAllText(ConfigFile))!.AsObject();
        edit(config);
        File.WriteAllText(ConfigFile, config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    public void Dispose() => _dir.Dispose();
}
