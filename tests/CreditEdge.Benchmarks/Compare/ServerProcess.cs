using System.Diagnostics;
using System.Globalization;
using System.Net;
using CreditEdge.TestKit;

namespace CreditEdge.Benchmarks.Compare;

/// <summary>
/// One compared server as a separate process: started, timed from process start to the first 200 on <c>GET /readyz</c>,
/// its resident memory read from <c>/proc/PID/status</c>, stopped with SIGTERM (so LiteDB checkpoints on the way out).
/// Its stdout and stderr go to a log file beside its data.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    private readonly Process _process;
    private readonly StreamWriter _log;
    private bool _logClosed;

    private ServerProcess(ServerLaunch launch, Process process, StreamWriter log, Uri baseAddress)
    {
        Launch = launch;
        _process = process;
        _log = log;
        BaseAddress = baseAddress;
    }

    public ServerLaunch Launch { get; }

    public int Pid => _process.Id;

    public Uri BaseAddress { get; }

    /// <summary>Process start until the first 200 on <c>/readyz</c>.</summary>
    public TimeSpan StartToReady { get; private set; }

    public string LogFile { get; private init; } = "";

    public static async Task<ServerProcess> StartAsync(ServerLaunch launch, int port, string logFile, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(launch.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = launch.WorkingDirectory,
        };
        foreach (var arg in launch.Arguments)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in launch.Environment)
        {
            info.Environment[name] = value;
        }

        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var started = Stopwatch.GetTimestamp();
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {launch.FileName}");
        var server = new ServerProcess(launch, process, log, baseAddress) { LogFile = logFile };
        process.OutputDataReceived += server.OnOutput;
        process.ErrorDataReceived += server.OnOutput;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"{launch.Name} exited with {process.ExitCode} before it was ready; see {logFile}");
            }

            if (await IsReadyAsync(probe, baseAddress, cancellationToken))
            {
                server.StartToReady = Stopwatch.GetElapsedTime(started);
                return server;
            }

            if (Stopwatch.GetElapsedTime(started) > ReadyTimeout)
            {
                await server.DisposeAsync();
                throw new TimeoutException($"{launch.Name} was not ready within {ReadyTimeout.TotalSeconds:0} s; see {logFile}");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>VmRSS of the process, in bytes: private memory plus the pages of mapped files (code, libraries) it touched.</summary>
    public long ResidentBytes() => StatusBytes("VmRSS:");

    /// <summary>
    /// RssAnon + RssShmem of the process, in bytes: its private memory (heaps, stacks, and .NET's executable memory, which
    /// the runtime maps twice through a memfd), what a board cannot get back from the page cache.
    /// </summary>
    public long PrivateResidentBytes() => StatusBytes("RssAnon:") + StatusBytes("RssShmem:");

    private long StatusBytes(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var kib = line[field.Length..].Trim().Split(' ')[0];
                return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{Pid}/status has no {field} line");
    }

    /// <summary>SIGTERM and wait for a clean exit (up to 30 s, then SIGKILL).</summary>
    public Task StopAsync() => ProcessSignals.StopAsync(_process, TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.WaitForExit(); // drains the redirected output
        _process.Dispose();
        lock (_log)
        {
            _logClosed = true;
            _log.Dispose();
        }
    }

    private static async Task<bool> IsReadyAsync(HttpClient probe, Uri baseAddress, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await probe.GetAsync(new Uri(baseAddress, "/readyz"), cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void OnOutput(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is null)
        {
            return;
        }

        lock (_log)
        {
            if (!_logClosed)
            {
                _log.WriteLine(e.Data);
            }
        }
    }
}
