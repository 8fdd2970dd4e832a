using System.Diagnostics;
using System.Globalization;

namespace CreditEdge.Benchmarks.Compare;

/// <summary>
/// <c>--profile</c>: the durable agent under 16-connection wrk load, 10 s each, recorded to benchmarks/results/profiles/:
/// <c>strace -c -f</c> (syscall counts and time; strace slows the agent, so its throughput is not a result), then
/// <c>dotnet-counters collect</c> (runtime and Kestrel counters, CSV) from the repository's local tool manifest
/// (benchmarks/dotnet-tools.json, restored by compare.sh). A missing tool is noted in the report, not fatal.
/// </summary>
public static class Profiles
{
    private static readonly TimeSpan Length = TimeSpan.FromSeconds(10);

    public static async Task RecordAsync(RunContext context, ServerProcess agent, List<string> notes, CancellationToken cancellationToken)
    {
        var directory = context.Options.ProfileDirectory;
        Directory.CreateDirectory(directory);
        var seconds = ((int)Length.TotalSeconds).ToString(CultureInfo.InvariantCulture);

        var prefix = context.Options.Quick ? "quick-" : ""; // a noisy trial never overwrites a real run's profiles
        var straceFile = Path.Combine(directory, prefix + "agent-strace-c.txt");
        notes.Add(await UnderLoadAsync(
            context,
            agent,
            "strace -c -f",
            "timeout",
            ["-s", "INT", seconds, "strace", "-c", "-f", "-p", agent.Pid.ToString(CultureInfo.InvariantCulture), "-o", straceFile],
            straceFile,
            cancellationToken));

        var countersFile = Path.Combine(directory, prefix + "agent-counters.csv");
        var duration = Length.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
        notes.Add(await UnderLoadAsync(
            context,
            agent,
            "dotnet-counters collect",
            "dotnet",
            ["tool", "run", "dotnet-counters", "collect", "-p", agent.Pid.ToString(CultureInfo.InvariantCulture), "--duration", duration,
                "--format", "csv", "-o", countersFile, "--counters", "System.Runtime,Microsoft.AspNetCore.Hosting,Microsoft-AspNetCore-Server-Kestrel"],
            countersFile,
            cancellationToken));
    }

    private static async Task<string> UnderLoadAsync(
        RunContext context, ServerProcess agent, string tool, string file, string[] args, string output, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.Combine(Repo.Root, "benchmarks"), // where the dotnet tool manifest is
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        Process? process;
        try
        {
            process = Process.Start(info);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"{tool}: not available ({ex.Message})";
        }

        using (process)
        {
            if (process is null)
            {
                return $"{tool}: could not be started";
            }

            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken); // attached before the load starts
            var load = await context.WrkAsync(agent, 16, Length, cancellationToken);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return $"{tool}: did not finish within 30 s after the load; killed";
            }

            var message = ((await stderr) + " " + (await stdout)).Trim();
            if (!File.Exists(output) || new FileInfo(output).Length == 0)
            {
                return $"{tool}: not recorded (exit {process.ExitCode}): {Shorten(message)}";
            }

            return string.Create(
                CultureInfo.InvariantCulture,
                $"{tool}: `profiles/{Path.GetFileName(output)}`, 10 s at 16 connections ({load.RequestsPerSecond:0} req/s while attached)");
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
