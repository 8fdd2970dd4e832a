using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace CreditEdge.Benchmarks.Report;

/// <summary>Where and how the run happened, for the report's header.</summary>
public sealed record MachineInfo(string Command, DateTimeOffset StartedUtc, string Nproc, string Cpu, string Os, string Dotnet, string Ort, string Gc, string LoadAtStart)
{
    public static MachineInfo Collect(IReadOnlyList<string> args, TimeProvider time)
    {
        var command = "dotnet run -c Release --project tests/CreditEdge.Benchmarks --" + string.Concat(args.Select(a => " " + a));
        return new MachineInfo(
            command,
            time.GetUtcNow(),
            ReadNproc(),
            FirstValue("/proc/cpuinfo", "model name", ':') ?? RuntimeInformation.ProcessArchitecture.ToString(),
            $"{FirstValue("/etc/os-release", "PRETTY_NAME", '=')?.Trim('"') ?? RuntimeInformation.OSDescription}, kernel {ReadFirstLine("/proc/sys/kernel/osrelease")}, {RuntimeInformation.OSArchitecture}",
            RuntimeInformation.FrameworkDescription,
            OrtEnv.Instance().GetVersionString(),
            GCSettings.IsServerGC ? "server GC (as the agent)" : "workstation GC",
            LoadAverage());
    }

    /// <summary>The 1/5/15-minute load averages from /proc/loadavg: other work on the machine shows up here.</summary>
    public static string LoadAverage() => string.Join(' ', ReadFirstLine("/proc/loadavg").Split(' ').Take(3));

    private static string ReadFirstLine(string file) => File.Exists(file) ? File.ReadLines(file).FirstOrDefault()?.Trim() ?? "" : "unknown";

    private static string ReadNproc()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("nproc") { RedirectStandardOutput = true });
            var text = process?.StandardOutput.ReadToEnd().Trim();
            process?.WaitForExit();
            return string.IsNullOrEmpty(text) ? Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture) : text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return $"{Environment.ProcessorCount} (Environment.ProcessorCount; nproc not found)";
        }
    }

    private static string? FirstValue(string file, string key, char separator)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        return File.ReadLines(file)
            .Select(line => line.Split(separator, 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim() == key)
            .Select(parts => parts[1].Trim())
            .FirstOrDefault();
    }
}
