using System.Diagnostics;
using CreditEdge.TestKit;

namespace CreditEdge.Agent.Tests;

/// <summary>The agent as a separate OS process (the published dll run by dotnet), for crash and kill tests.</summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private AgentProcess(Process process)
    {
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
        StandardOutput = process.StandardOutput.ReadToEndAsync();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the agent wrote to stderr; completes when it exits.</summary>
    public Task<string> StandardError => _stderr;

    /// <summary>Everything the agent wrote to stdout (its console log); completes when it exits.</summary>
    public Task<string> StandardOutput { get; }

    /// <summary>SIGTERM, as systemd stops it; waits for the exit.</summary>
    public Task StopAsync() => ProcessSignals.StopAsync(_process, TimeSpan.FromSeconds(20));

    public static AgentProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "creditedge-agent.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return new AgentProcess(Process.Start(start)!);
    }

    /// <summary>Runs the agent to its exit (it is expected to refuse to start) and returns exit code and stderr.</summary>
    public static async Task<(int ExitCode, string Stderr)> RunToExitAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        await using var agent = Start(environment, args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await agent._process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("the agent process did not exit within 60 s; it should have refused to start");
        }

        return (agent._process.ExitCode, await agent._stderr);
    }

    /// <summary>kill -9.</summary>
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
