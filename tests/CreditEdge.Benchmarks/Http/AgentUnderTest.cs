using CreditEdge.Agent;
using Microsoft.AspNetCore.Builder;

namespace CreditEdge.Benchmarks.Http;

/// <summary>
/// The real agent (Kestrel on a free loopback port, LiteDB in a fresh temporary data directory, ORT on the repository's
/// <c>models/default</c>) started in this process. Disposing stops it and deletes the data directory.
/// </summary>
public sealed class AgentUnderTest : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dataDirectory;

    private AgentUnderTest(WebApplication app, string dataDirectory, Uri baseAddress)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<AgentUnderTest> StartAsync(CancellationToken cancellationToken)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("creditedge-bench-").FullName;
        string[] args =
        [
            $"--DataDirectory={dataDirectory}",
            $"--ModelDirectory={Repo.DefaultModel}",
            "--DeviceId=bench",
            "--Api:Urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
        ];
        var app = AgentApp.Create(args);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            Directory.Delete(dataDirectory, recursive: true);
            throw;
        }

        return new AgentUnderTest(app, dataDirectory, new Uri(app.Urls.Single()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
