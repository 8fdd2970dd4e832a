namespace CreditEdge.Release.Tests;

/// <summary>What ./publish-arm64.sh --rid linux-x64 packs: the tarball's tree and the .deb around the same tree.</summary>
[Collection(SharedReleaseBuild.Name)]
public sealed class ReleaseArtefactTests(ReleaseBuild build)
{
    /// <summary>Every release carries these, under creditedge-VERSION-RID/.</summary>
    public static readonly string[] ReleaseFiles =
    [
        "creditedge-agent", "libonnxruntime.so", "appsettings.json", "models/default/manifest.json", "models/default/golden.jsonl",
        "models/default/model.fp32.onnx", "models/default/model.int8.onnx", "creditedge-agent.service", "install.sh", "enroll.sh",
        "agent.json.example", "README.md", "VERSION",
    ];

    [Fact]
    public async Task Tarball_X64_HoldsAgentModelProvisioningAndReadme()
    {
        var release = await build.GetAsync("linux-x64");

        var entries = (await Tools.RunCheckedAsync("tar", "tar", "-tzf", release.Tarball)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var top = $"creditedge-{ReleaseBuild.Version}-linux-x64/";
        Assert.All(entries, e => Assert.StartsWith(top, e, StringComparison.Ordinal));
        var files = entries.Select(e => e[top.Length..]).ToHashSet();
        Assert.All(ReleaseFiles, f => Assert.Contains(f, files));
        Assert.DoesNotContain(files, f => f.StartsWith("cedge", StringComparison.Ordinal)); // the operator's tool stays on the workstation
        Assert.StartsWith("## On a board", File.ReadAllText(Path.Combine(release.Tree, "README.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tree_X64_HoldsNoWindowsBinary()
    {
        var release = await build.GetAsync("linux-x64");

        var windows = Directory.EnumerateFiles(release.Tree, "*", SearchOption.AllDirectories).Where(IsPortableExecutable).ToList();

        Assert.True(windows.Count == 0, $"Windows/PE files in the release: {string.Join(", ", windows)}");
    }

    [Fact]
    public async Task Deb_X64_NamesPackageVersionArchitectureAndDependencies()
    {
        var release = await build.GetAsync("linux-x64");

        var fields = await Tools.RunCheckedAsync("dpkg-deb", "dpkg", "--field", release.Deb, "Package", "Version", "Architecture", "Depends");

        Assert.Contains("Package: creditedge", fields, StringComparison.Ordinal);
        Assert.Contains($"Version: {ReleaseBuild.Version}", fields, StringComparison.Ordinal);
        Assert.Contains("Architecture: amd64", fields, StringComparison.Ordinal);
        Assert.Contains("libssl3", fields, StringComparison.Ordinal); // .NET loads OpenSSL at run time; without it the agent aborts
    }

    [Fact]
    public async Task Deb_X64_HoldsTheReleaseTreeInOptAndRunsInstallSh()
    {
        var release = await build.GetAsync("linux-x64");

        var contents = await Tools.RunCheckedAsync("dpkg-deb", "dpkg", "--contents", release.Deb);
        var scripts = Path.Combine(Path.GetTempPath(), $"deb-control-{Guid.NewGuid():N}");
        await Tools.RunCheckedAsync("dpkg-deb", "dpkg", "--control", release.Deb, scripts);
        var postinst = File.ReadAllText(Path.Combine(scripts, "postinst"));
        Directory.Delete(scripts, recursive: true);

        Assert.All(ReleaseFiles, f => Assert.Contains($"./opt/creditedge/{f}", contents, StringComparison.Ordinal));
        Assert.All(contents.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Contains(" root/root ", line, StringComparison.Ordinal));
        Assert.Contains("/opt/creditedge/install.sh /opt/creditedge", postinst, StringComparison.Ordinal);
    }

    private static bool IsPortableExecutable(string file)
    {
        using var stream = File.OpenRead(file);
        return stream.ReadByte() == 'M' && stream.ReadByte() == 'Z';
    }
}
