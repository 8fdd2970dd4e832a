using System.Collections.Concurrent;
using System.Diagnostics;
using CreditEdge.TestKit;

namespace CreditEdge.CrashLoop;

/// <summary>A built dll beside this program (creditedge-agent.dll, cedge.dll) run by <c>dotnet</c> as its own OS process.</summary>
public sealed class DotnetProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly ConcurrentQueue<string> _stdout = new();

    private DotnetProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) => Enqueue(_stderr, e.Data);
        _process.OutputDataReceived += (_, e) => Enqueue(_stdout, e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string ErrorText => string.Join(Environment.NewLine, _stderr);

    public string OutputText => string.Join(Environment.NewLine, _stdout);

    public bool HasErrorLine(string text) => _stderr.Any(l => l.Contains(text, StringComparison.Ordinal));

    public static DotnetProcess Start(string dll, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new DotnetProcess(Process.Start(start)!);
    }

    /// <summary>kill -9: no chance to flush, acknowledge or disconnect.</summary>
    public async Task KillHardAsync()
    {
        ProcessSignals.KillHard(_process.Id);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM and a clean exit within <paramref name="grace"/> (SIGKILL after it).</summary>
    public Task StopAsync(TimeSpan grace) => ProcessSignals.StopAsync(_process, grace);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{_process.StartInfo.ArgumentList[0]} did not exit within {timeout.TotalSeconds} s; stderr: {ErrorText}");
        }

        _process.WaitForExit(); // the redirected streams are read to their end
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await ProcessSignals.StopAsync(_process, TimeSpan.FromSeconds(20));
        _process.Dispose();
    }

    private static void Enqueue(ConcurrentQueue<string> lines, string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
        }
    }
}
