using System.Globalization;
using System.Text.RegularExpressions;
using CreditEdge.TestKit;

namespace CreditEdge.Release.Tests;

/// <summary>
/// <c>systemd-analyze</c> on the unit. <c>verify</c> exits 0 on unknown keys and bad values (it only warns), so any output
/// at all counts as a finding. It also checks that ExecStart= exists, which it resolves under <c>--root</c>: the unit is
/// verified inside a root that holds it at /etc/systemd/system, the executable at /opt/creditedge, and a copy of this
/// machine's /usr/lib/systemd/system (the targets the unit and its implicit dependencies name).
/// </summary>
public static partial class SystemdAnalyze
{
    public const string UnitName = "creditedge-agent.service";

    /// <summary>The unit as shipped in the repository.</summary>
    public static string ShippedUnit => Path.Combine(RepoPaths.Root, "provisioning", UnitName);

    /// <summary>Runs <c>systemd-analyze verify --root=ROOT</c> on the unit installed in <paramref name="root"/>; returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> VerifyAsync(string root)
    {
        Tools.Require("systemd-analyze", "systemd");
        var units = Path.Combine(root, "usr", "lib", "systemd", "system");
        if (!Directory.Exists(units))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(units)!);
            await Tools.RunCheckedAsync("cp", "coreutils", "-a", "/usr/lib/systemd/system", units);
        }

        return await Tools.RunAsync("systemd-analyze", "systemd", ["verify", $"--root={root}", UnitName]);
    }

    /// <summary>The overall exposure of <c>systemd-analyze security --offline=true UNITFILE</c> and the full table.</summary>
    public static async Task<(double Exposure, string Table)> SecurityAsync(string unitFile)
    {
        var output = await Tools.RunCheckedAsync("systemd-analyze", "systemd", "security", "--offline=true", "--no-pager", unitFile);
        var overall = OverallLine().Match(output);
        Assert.True(overall.Success, $"no 'Overall exposure level' line in:\n{output}");
        return (double.Parse(overall.Groups[1].Value, CultureInfo.InvariantCulture), output);
    }

    /// <summary>A root with the given unit text installed and a stand-in executable at /opt/creditedge/creditedge-agent.</summary>
    public static void WriteRootWithUnit(string root, string unitText)
    {
        var unitDirectory = Path.Combine(root, "etc", "systemd", "system");
        Directory.CreateDirectory(unitDirectory);
        File.WriteAllText(Path.Combine(unitDirectory, UnitName), unitText);
        var executable = Path.Combine(root, "opt", "creditedge", "creditedge-agent");
        Directory.CreateDirectory(Path.GetDirectoryName(executable)!);
        File.WriteAllText(executable, "#!/bin/sh\n");
        File.SetUnixFileMode(executable, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+\.\d+) (\S+)")]
    private static partial Regex OverallLine();
}
