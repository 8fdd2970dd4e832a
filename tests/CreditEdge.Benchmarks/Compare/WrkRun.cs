using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace CreditEdge.Benchmarks.Compare;

/// <summary>One closed-loop run of Debian's <c>wrk</c> against <c>POST /v1/score</c> (benchmarks/wrk/score.lua).</summary>
public sealed record WrkRun
{
    public required int Connections { get; init; }

    /// <summary>Responses received (any status).</summary>
    public required long Requests { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary>Responses that were not 2xx.</summary>
    public required long Non2xx { get; init; }

    /// <summary>Connect, read and write errors and timeouts (requests that got no response).</summary>
    public required long SocketErrors { get; init; }

    public required TimeSpan P50 { get; init; }

    public required TimeSpan P99 { get; init; }

    public required TimeSpan Max { get; init; }

    public double RequestsPerSecond => Requests / Duration.TotalSeconds;

    /// <summary>2xx responses: decisions the server made.</summary>
    public long Ok => Requests - Non2xx;

    public bool HasErrors => Non2xx > 0 || SocketErrors > 0;

    /// <summary>Runs wrk for <paramref name="duration"/> with <paramref name="connections"/> connections (at most 2 threads).</summary>
    public static async Task<WrkRun> RunAsync(Uri baseAddress, int connections, TimeSpan duration, string script, string bodiesFile, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
                 {
                     $"-t{Math.Min(2, connections)}", $"-c{connections}", $"-d{(int)Math.Ceiling(duration.TotalSeconds)}s", "--timeout", "10s",
                     "-s", script, baseAddress.ToString(),
                 })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["WRK_BODIES"] = bodiesFile;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start wrk");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = await stdout;
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("WRKJSON ", StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"wrk failed (exit {process.ExitCode}): {(await stderr).Trim()} {output.Trim()}");
        }

        using var json = JsonDocument.Parse(line["WRKJSON ".Length..]);
        var r = json.RootElement;
        long Get(string name) => r.GetProperty(name).GetInt64();
        return new WrkRun
        {
            Connections = connections,
            Requests = Get("requests"),
            Duration = TimeSpan.FromMicroseconds(Get("durationUs")),
            Non2xx = Get("non2xx"),
            SocketErrors = Get("connectErrors") + Get("readErrors") + Get("writeErrors") + Get("timeouts"),
            P50 = TimeSpan.FromMicroseconds(Get("p50Us")),
            P99 = TimeSpan.FromMicroseconds(Get("p99Us")),
            Max = TimeSpan.FromMicroseconds(Get("maxUs")),
        };
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Connections} conn: {RequestsPerSecond:0} req/s, p50 {P50.TotalMilliseconds:0.00} ms, p99 {P99.TotalMilliseconds:0.00} ms, non-2xx {Non2xx}, socket errors {SocketErrors}");
}
