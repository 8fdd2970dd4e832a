using System.Globalization;
using System.Text.RegularExpressions;
using CreditEdge.TestKit;

namespace CreditEdge.KernelPaths.Tests;

/// <summary>
/// Every committed package's every variant replays its golden.jsonl within 1e-5 on every integer-kernel path ONNX Runtime
/// has on the fleet's CPUs (README, "Exact on every CPU"): this host; x86-64 AVX2 without VNNI (qemu-x86_64 as Haswell:
/// pairs of u8×s8 products in saturating 16-bit lanes) and SSE4.1 without AVX (as Nehalem: MLAS's 128-bit kernel);
/// arm64 without and with the dot-product extension
/// (qemu-aarch64 as Cortex-A72 / Cortex-A76, running the agent ./publish-arm64.sh makes). Each run is the agent's own
/// <c>replay-golden</c> command, and each must report the kernel path it was meant to prove. Each path's lines are written
/// to artifacts/kernel-paths/ (CI prints them).
/// </summary>
public sealed partial class KernelPathTests(Arm64Agent arm64) : IClassFixture<Arm64Agent>
{
    private static readonly string[] PathNames = ["host", "x86-64-haswell", "x86-64-nehalem", "arm64-cortex-a72", "arm64-cortex-a76"];

    /// <summary>artifacts/kernel-paths, emptied once per test run so only this run's proofs are printed.</summary>
    private static readonly Lazy<string> SummaryDirectory = new(() =>
    {
        var directory = Path.Combine(RepoPaths.Root, "artifacts", "kernel-paths");
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
        return directory;
    });

    public static TheoryData<string> Paths => [.. PathNames];

    /// <summary>Every committed package: the default model and the test packages (tests/packages/*).</summary>
    public static IReadOnlyList<string> Packages =>
    [
        RepoPaths.DefaultModel,
        .. Directory.GetDirectories(Path.Combine(RepoPaths.Root, "tests", "packages")).Where(d => File.Exists(Path.Combine(d, "manifest.json"))).Order(StringComparer.Ordinal),
    ];

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task ReplayGolden_EveryCommittedPackageAndVariant_ExactOnThisKernelPath(string path)
    {
        var summaryFile = Path.Combine(SummaryDirectory.Value, $"{Array.IndexOf(PathNames, path)}-{path}.txt");
        var (file, args, expectedCpu) = Command(path);
        var (exitCode, output) = await ProcessRun.RunAsync(file, args, QemuEnvironment);

        var kernel = KernelLine().Match(output);
        Assert.True(kernel.Success, $"{path}: no 'kernel path:' line (exit {exitCode}):\n{output}");
        if (expectedCpu is not null)
        {
            Assert.Equal(expectedCpu, kernel.Groups[1].Value.Trim());
        }

        var variants = VariantLine().Matches(output);
        Assert.True(variants.Count >= 2 * Packages.Count, $"{path}: expected a line per variant of {Packages.Count} packages:\n{output}");
        var summary = new List<string> { $"{path} ({kernel.Groups[1].Value.Trim()}):" };
        foreach (Match line in variants)
        {
            var delta = double.Parse(line.Groups["delta"].Value, CultureInfo.InvariantCulture);
            summary.Add($"  {line.Groups["package"].Value} {line.Groups["variant"].Value}: {line.Groups["records"].Value} golden records, max |Δ| {delta:0.0##E+0} — {line.Groups["verdict"].Value}");
            Assert.True(line.Groups["verdict"].Value == "pass" && delta <= 1e-5, $"{path}: {line.Value}");
        }

        Assert.True(exitCode == 0, $"{path}: replay-golden exited {exitCode}:\n{output}");
        await File.WriteAllLinesAsync(summaryFile, summary);
    }

    private (string File, string[] Args, string? ExpectedCpu) Command(string path)
    {
        var hostAgent = Path.Combine(AppContext.BaseDirectory, "creditedge-agent.dll");
        string[] replay = ["replay-golden", .. Packages];
        return path switch
        {
            "host" => ("dotnet", [hostAgent, .. replay], null),
            "x86-64-haswell" => ("qemu-x86_64-static", ["-cpu", "Haswell", DotnetHost(), hostAgent, .. replay], "x86-64 AVX2 without VNNI"),
            "x86-64-nehalem" => ("qemu-x86_64-static", ["-cpu", "Nehalem", DotnetHost(), hostAgent, .. replay], "x86-64 SSE4 without AVX2"),
            "arm64-cortex-a72" => Arm64("cortex-a72", replay, "arm64 NEON without dot-product"),
            "arm64-cortex-a76" => Arm64("cortex-a76", replay, "arm64 NEON with dot-product"),
            _ => throw new ArgumentOutOfRangeException(nameof(path), path, "unknown kernel path"),
        };
    }

    /// <summary>
    /// ORT aborts under qemu-user when it reads the host's x86 /proc/cpuinfo, so a real board's cpuinfo
    /// (tests/kernel-paths/cpuinfo-*) is bind-mounted over it in a private mount namespace.
    /// </summary>
    private (string, string[], string?) Arm64(string cpu, string[] replay, string expected)
    {
        var cpuinfo = Path.Combine(RepoPaths.Root, "tests", "kernel-paths", $"cpuinfo-{cpu}");
        var command = $"mount --bind '{cpuinfo}' /proc/cpuinfo && exec qemu-aarch64-static -cpu {cpu} -L / '{arm64.Executable}' {string.Join(' ', replay.Select(a => $"'{a}'"))}";
        return ("unshare", ["-m", "--propagation", "private", "sh", "-c", command], expected);
    }

    /// <summary>
    /// .NET's GC under qemu-user crashed here (SIGSEGV) in an allocation-heavy run (6,000-row evaluation) with the default
    /// gen0 budget and ran with a 64 MB one; the replay allocates little, but the setting keeps it off that path.
    /// </summary>
    private static readonly Dictionary<string, string> QemuEnvironment = new() { ["DOTNET_GCgen0size"] = "0x4000000" };

    /// <summary>The real dotnet executable (qemu-user runs an ELF, not the PATH's symlink name).</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "/usr/bin/dotnet";

    [GeneratedRegex(@"^kernel path: (.+)$", RegexOptions.Multiline)]
    private static partial Regex KernelLine();

    [GeneratedRegex(@"^(?<package>\S+ \S+) (?<variant>\S+): (?<records>\d+) golden records, max \|Δ\| (?<delta>\S+?)(, [\d.]+ µs/decision)? — (?<verdict>pass|FAIL)", RegexOptions.Multiline)]
    private static partial Regex VariantLine();
}
