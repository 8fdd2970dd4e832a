using CreditEdge.KernelPaths.Tests;
using CreditEdge.TestKit;

namespace CreditEdge.Release.Tests;

/// <summary>
/// The release artefacts as <c>./publish-arm64.sh</c> makes them, built once per test run and runtime identifier from one
/// copy of the sources (so restore and build never touch the obj folders other test projects use, and the second
/// runtime reuses the first one's library builds). Publishes run one at a time, on first use.
/// <c>--layout single-file</c>, not the default <c>single-file-r2r</c>: the two differ only in the managed code
/// precompiled inside the executable, and crossgen's composite image of the runtime, framework and agent takes 2–2.5 minutes per
/// runtime on these two cores, which would put the first test of each runtime past the test run's 5-minute hang limit.
/// The composite agent is what <c>benchmarks/compare.sh</c> and <c>benchmarks/release-artefact.sh</c> publish and run.
/// </summary>
public sealed class ReleaseBuild : IDisposable
{
    /// <summary>The version the tests build: a Debian version with a tilde, as a pre-release would have.</summary>
    public const string Version = "9.9.9~test";

    private readonly TempDirectory _work = new("release-build");
    private readonly SemaphoreSlim _publishing = new(1, 1);
    private readonly Dictionary<string, Task<ReleaseArtefact>> _built = [];
    private readonly Lazy<string> _source;

    public ReleaseBuild() => _source = new Lazy<string>(CopySources);

    /// <summary>The artefacts for <paramref name="rid"/> (<c>linux-x64</c>, <c>linux-arm64</c>), published on first use.</summary>
    public Task<ReleaseArtefact> GetAsync(string rid)
    {
        lock (_built)
        {
            if (!_built.TryGetValue(rid, out var task))
            {
                task = PublishAsync(rid);
                _built[rid] = task;
            }

            return task;
        }
    }

    private async Task<ReleaseArtefact> PublishAsync(string rid)
    {
        await _publishing.WaitAsync();
        try
        {
            Tools.Require("dpkg-deb", "dpkg");
            var artifacts = _work.Combine("artifacts");
            var tree = _work.Combine(rid);
            var (exitCode, output) = await ProcessRun.RunAsync(
                "bash", [Path.Combine(_source.Value, "publish-arm64.sh"), "--rid", rid, "--layout", "single-file", "--version", Version, "--artifacts", artifacts, tree], workingDirectory: _source.Value);
            var artefact = new ReleaseArtefact(rid, tree, Path.Combine(artifacts, $"creditedge-{Version}-{rid}.tar.gz"),
                Path.Combine(artifacts, $"creditedge_{Version}_{(rid == "linux-arm64" ? "arm64" : "amd64")}.deb"));
            if (exitCode != 0 || !File.Exists(artefact.Tarball) || !File.Exists(artefact.Deb))
            {
                throw new InvalidOperationException($"./publish-arm64.sh --rid {rid} failed ({exitCode}) or made no tarball and .deb:\n{output}");
            }

            return artefact;
        }
        finally
        {
            _publishing.Release();
        }
    }

    /// <summary>What publish-arm64.sh reads: the build settings, every source project, the default model, provisioning and the README.</summary>
    private string CopySources()
    {
        var source = _work.Combine("src");
        Directory.CreateDirectory(source);
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig", "publish-arm64.sh", "README.md" })
        {
            var from = Path.Combine(RepoPaths.Root, file);
            if (File.Exists(from))
            {
                File.Copy(from, Path.Combine(source, file));
            }
        }

        CopyTree(Path.Combine(RepoPaths.Root, "src"), Path.Combine(source, "src"));
        CopyTree(RepoPaths.DefaultModel, Path.Combine(source, "models", "default"));
        CopyTree(Path.Combine(RepoPaths.Root, "provisioning"), Path.Combine(source, "provisioning"));
        return source;
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "artifacts"))
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file)); // the scripts keep their execute bits
        }
    }

    public void Dispose()
    {
        _publishing.Dispose();
        _work.Dispose();
    }
}
