using CreditEdge.TestKit;

namespace CreditEdge.Release.Tests;

/// <summary>
/// The shipped unit (provisioning/creditedge-agent.service) as systemd reads it: <c>systemd-analyze verify</c> has nothing
/// to say, <c>systemd-analyze security</c> rates it at most <see cref="MaxExposure"/> (README, "On a board"), and it
/// keeps off the settings that stop .NET (each found by booting the unit under systemd; see the unit's comments and
/// <see cref="SystemdContainerTests"/>).
/// </summary>
public sealed class UnitFileTests : IDisposable
{
    /// <summary>The overall exposure the hardened unit reached ("1.6 OK"); a change that raises it fails here.</summary>
    public const double MaxExposure = 1.6;

    private readonly TempDirectory _root = new("unit-verify");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Verify_ShippedUnit_PrintsNothing()
    {
        SystemdAnalyze.WriteRootWithUnit(_root.Path, File.ReadAllText(SystemdAnalyze.ShippedUnit));

        var (exitCode, output) = await SystemdAnalyze.VerifyAsync(_root.Path);

        Assert.True(exitCode == 0 && output.Length == 0, $"systemd-analyze verify (exit {exitCode}) printed:\n{output}");
    }

    [Fact]
    public async Task Verify_UnitWithAMisspelledKey_PrintsAWarningThatFailsTheCheck()
    {
        // verify exits 0 here: only its output tells the misspelling apart, which is why any output fails the test above
        var unit = File.ReadAllText(SystemdAnalyze.ShippedUnit).Replace("ProtectClock=true", "ProtectClok=true", StringComparison.Ordinal);
        SystemdAnalyze.WriteRootWithUnit(_root.Path, unit);

        var (_, output) = await SystemdAnalyze.VerifyAsync(_root.Path);

        Assert.Contains("Unknown key 'ProtectClok'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_UnitWhoseExecutableIsMissing_SaysSo()
    {
        SystemdAnalyze.WriteRootWithUnit(_root.Path, File.ReadAllText(SystemdAnalyze.ShippedUnit));
        File.Delete(Path.Combine(_root.Path, "opt", "creditedge", "creditedge-agent"));

        var (exitCode, output) = await SystemdAnalyze.VerifyAsync(_root.Path);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("/opt/creditedge/creditedge-agent is not executable", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Security_ShippedUnit_ExposureAtMostTheMeasuredLevel()
    {
        var (exposure, table) = await SystemdAnalyze.SecurityAsync(SystemdAnalyze.ShippedUnit);

        Assert.True(exposure <= MaxExposure, $"overall exposure {exposure} is above {MaxExposure}:\n{table}");
    }

    [Theory]
    [InlineData("MemoryDenyWriteExecute", "the JIT maps the code it writes executable")]
    [InlineData("ProcSubset", "hides /proc/meminfo and /proc/cpuinfo (telemetry, GC limits, ONNX Runtime's CPU detection)")]
    [InlineData("ProtectProc", "hides /proc/1, so Hosting.Systemd never sends READY=1 and Type=notify times out")]
    [InlineData("PrivateDevices", "a private /dev has no /dev/gpiochip0")]
    public void Unit_SettingThatBreaksTheAgent_IsNotSet(string key, string why)
    {
        var values = Settings(key);

        Assert.True(values.All(v => v is "false" or "default" or "all" or "no"), $"{key}={string.Join(',', values)}: {why}");
    }

    [Fact]
    public void Unit_SystemCallFilterWithoutResources_StillAllowsSchedSetaffinity()
    {
        var filters = Settings("SystemCallFilter");

        Assert.Contains(filters, f => f.Contains("@resources", StringComparison.Ordinal) && f.StartsWith('~'));
        Assert.Contains("sched_setaffinity", filters); // else "Failed to create CoreCLR, HRESULT: 0x8007054F"
    }

    [Fact]
    public void Unit_GpioChip_IsTheOnlyDeviceBeyondThePseudoDevices()
    {
        Assert.Equal(["closed"], Settings("DevicePolicy"));
        Assert.Equal(["/dev/gpiochip0 rw"], Settings("DeviceAllow"));
    }

    private static List<string> Settings(string key) =>
        File.ReadLines(SystemdAnalyze.ShippedUnit)
            .Where(l => l.StartsWith(key + "=", StringComparison.Ordinal))
            .Select(l => l[(key.Length + 1)..].Trim())
            .ToList();
}
