using CreditEdge.Agent;
using Microsoft.AspNetCore.Builder;

namespace CreditEdge.Agent.Tests;

/// <summary>The real agent (real Kestrel, real LiteDB, real ORT) started in-process on a free loopback port.</summary>
public sealed class RunningAgent : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningAgent(WebApplication app, Uri baseAddress)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static Task<RunningAgent> StartAsync(string dataDirectory, params string[] extraArgs) => StartAsync(dataDirectory, beforeStart: null, extraArgs);

    /// <summary>Builds the agent, lets <paramref name="beforeStart"/> set the scene (e.g. the simulated board's input pins), then starts it.</summary>
    public static async Task<RunningAgent> StartAsync(string dataDirectory, Action<IServiceProvider>? beforeStart, params string[] extraArgs)
    {
        string[] args =
        [
            $"--DataDirectory={dataDirectory}",
            "--Api:Urls=http://127.0.0.1:0",
            "--DeviceId=test-device",
            "--Logging:LogLevel:Default=Warning",
            .. extraArgs,
        ];
        var app = AgentApp.Create(args);
        try
        {
            beforeStart?.Invoke(app.Services);
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Urls.Single();
        return new RunningAgent(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
