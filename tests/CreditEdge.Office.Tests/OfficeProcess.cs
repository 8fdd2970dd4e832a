using System.Diagnostics;
using System.Net;
using CreditEdge.TestKit;

namespace CreditEdge.Office.Tests;

/// <summary>The office as a separate OS process (<c>dotnet creditedge-office.dll</c> from the test's output), for kill tests.</summary>
public sealed class OfficeProcess : IAsyncDisposable
{
    private readonly Process _process;

    private OfficeProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        StandardError = process.StandardError.ReadToEndAsync();
        StandardOutput = process.StandardOutput.ReadToEndAsync();
    }

    public int Port { get; }

    public HttpClient Http { get; }

    public Task<string> StandardError { get; }

    public Task<string> StandardOutput { get; }

    public static OfficeProcess Start(params string[] args)
    {
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "creditedge-office.dll"), "--urls", $"http://127.0.0.1:{port}", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        return new OfficeProcess(Process.Start(start)!, port);
    }

    public async Task WaitReadyAsync(TimeSpan timeout) =>
        await Eventually.HoldsAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the office exited with {_process.ExitCode}: {await StandardError}");
            }

            try
            {
                return (await Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, timeout, "the office process's /readyz 200");

    /// <summary>kill -9: no goodbye to the broker, nothing flushed.</summary>
    public async Task KillHardAsync()
    {
        ProcessSignals.KillHard(_process.Id);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await ProcessSignals.StopAsync(_process, TimeSpan.FromSeconds(15));
        _process.Dispose();
    }
}
