using System.Collections.Concurrent;
using System.Diagnostics;
using CreditEdge.TestKit;

namespace CreditEdge.Cli.Tests;

/// <summary><c>cedge</c> as a separate OS process (the built cedge.dll run by dotnet), for kill tests; stderr is read as it comes.</summary>
public sealed class CedgeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly Task<string> _stdout;

    private CedgeProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stderr.Enqueue(e.Data);
            }
        };
        _process.BeginErrorReadLine();
        _stdout = process.StandardOutput.ReadToEndAsync();
    }

    public int Id => _process.Id;

    public IReadOnlyCollection<string> ErrorLines => _stderr.ToArray();

    public bool HasErrorLine(string text) => _stderr.Any(l => l.Contains(text, StringComparison.Ordinal));

    public static CedgeProcess Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cedge.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new CedgeProcess(Process.Start(start)!);
    }

    /// <summary>Waits for a stderr line containing <paramref name="text"/>.</summary>
    public async Task WaitForErrorLineAsync(string text, TimeSpan timeout)
    {
        await Eventually.HoldsAsync(() => HasErrorLine(text) || _process.HasExited, timeout, $"cedge to write '{text}'");
        if (!HasErrorLine(text))
        {
            throw new InvalidOperationException($"cedge exited ({_process.ExitCode}) before writing '{text}': {string.Join(" | ", _stderr)}");
        }
    }

    /// <summary>Waits for the exit; returns the exit code and stdout.</summary>
    public async Task<(int ExitCode, string Output)> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"cedge did not exit within {timeout.TotalSeconds} s; stderr: {string.Join(" | ", _stderr)}");
        }

        return (_process.ExitCode, await _stdout);
    }

    /// <summary>kill -9: no chance to flush, acknowledge or disconnect.</summary>
    public async Task KillHardAsync()
    {
        ProcessSignals.KillHard(_process.Id);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await ProcessSignals.StopAsync(_process, TimeSpan.FromSeconds(20));
        _process.Dispose();
    }
}
