using CreditEdge.TestKit;
using Microsoft.AspNetCore.Builder;

namespace CreditEdge.Office.Tests;

/// <summary>The real office host (Kestrel on a free loopback port, real workers) inside the test process.</summary>
public sealed class InProcessOffice : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessOffice(WebApplication app, int port)
    {
        _app = app;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public int Port { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts an office on <paramref name="brokerUrl"/> and <paramref name="database"/>; <paramref name="extraArgs"/> as on its command line.</summary>
    public static async Task<InProcessOffice> StartAsync(string brokerUrl, string database, params string[] extraArgs)
    {
        var port = LoopbackPort.Free();
        var app = OfficeApp.Create([
            "--broker", brokerUrl, "--database", database, "--urls", $"http://127.0.0.1:{port}",
            "--Office:RetryMinDelay", "00:00:00.100", "--Office:RetryMaxDelay", "00:00:01",
            "--Office:EchoInterval", "00:00:00.250", // probes run all through the tests: none may reach a table or stall a worker
            .. extraArgs]);
        await app.StartAsync();
        return new InProcessOffice(app, port);
    }

    public async Task StopAsync() => await _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
