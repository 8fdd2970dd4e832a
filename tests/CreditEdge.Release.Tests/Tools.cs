using CreditEdge.KernelPaths.Tests;

namespace CreditEdge.Release.Tests;

/// <summary>
/// The system tools the release tests run. A missing one fails the test with the apt package that brings it (.ci/run
/// installs them all); nothing is skipped.
/// </summary>
public static class Tools
{
    private static readonly string[] SystemDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>The full path of <paramref name="command"/>, or a failure naming <paramref name="aptPackage"/>.</summary>
    public static string Require(string command, string aptPackage)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(SystemDirectories)
            .Select(d => Path.Combine(d, command))
            .FirstOrDefault(File.Exists);
        return path ?? throw new InvalidOperationException(
            $"'{command}' is missing: apt-get install -y --no-install-recommends {aptPackage} (.ci/run installs it; see README, Tests)");
    }

    /// <summary>Runs a tool to its exit; returns exit code and everything it printed (stdout, then stderr).</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(string command, string aptPackage, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        ProcessRun.RunAsync(Require(command, aptPackage), args, environment);

    /// <summary>Runs a tool that must succeed; returns its output.</summary>
    public static async Task<string> RunCheckedAsync(string command, string aptPackage, params string[] args)
    {
        var (exitCode, output) = await RunAsync(command, aptPackage, args);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} exited {exitCode}:\n{output}");
        }

        return output;
    }
}
