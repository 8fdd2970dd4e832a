using CreditEdge.TestKit;

namespace CreditEdge.KernelPaths.Tests;

/// <summary>
/// The self-contained linux-arm64 agent, published once per test run by the repository's own <c>./publish-arm64.sh</c>
/// from a copy of the sources (so its restore and build never touch the obj folders other test projects use). Only the
/// agent's tree: <c>--no-package</c> skips the tarball and .deb (CreditEdge.Release.Tests installs and runs those).
/// <c>--layout single-file</c>: what is proved here is ONNX Runtime's kernels, native code the layouts share; the default
/// layout's ReadyToRun (one composite image) only precompiles managed code, and takes a minute and a half longer to publish.
/// </summary>
public sealed class Arm64Agent : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _work = new("arm64-publish");

    public string Executable => _work.Combine("out", "creditedge-agent");

    public async Task InitializeAsync()
    {
        var source = _work.Combine("src");
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig", "publish-arm64.sh" })
        {
            var from = Path.Combine(RepoPaths.Root, file);
            if (File.Exists(from))
            {
                Directory.CreateDirectory(source);
                File.Copy(from, Path.Combine(source, file));
            }
        }

        foreach (var project in new[] { "CreditEdge.Core", "CreditEdge.Inference", "CreditEdge.Storage", "CreditEdge.Messaging", "CreditEdge.Hardware", "CreditEdge.Agent", "Shared" })
        {
            CopyTree(Path.Combine(RepoPaths.Root, "src", project), Path.Combine(source, "src", project));
        }

        CopyTree(RepoPaths.DefaultModel, Path.Combine(source, "models", "default"));
        var (exitCode, output) = await ProcessRun.RunAsync("bash", [Path.Combine(source, "publish-arm64.sh"), "--layout", "single-file", "--no-package", _work.Combine("out")], workingDirectory: source);
        if (exitCode != 0 || !File.Exists(Executable))
        {
            throw new InvalidOperationException($"./publish-arm64.sh failed ({exitCode}):\n{output}");
        }
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _work.Dispose();

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            var top = relative.Split(Path.DirectorySeparatorChar)[0];
            if (top is "bin" or "obj" or "artifacts")
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
