using System.Net;
using CreditEdge.TestKit;

namespace CreditEdge.Office.Tests;

public sealed class OfficeHostTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Fact]
    public async Task Readyz_BrokerAndDatabaseUp_ReadyWithEveryWorkerConnected()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "3");

        await Eventually.HoldsAsync(async () => (await office.Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "/readyz 200");
        var metrics = await office.Http.GetStringAsync("/metrics");
        Assert.Contains("office_worker_connected{worker=\"office-2\"} 1", metrics, StringComparison.Ordinal);
        Assert.Equal("ok\n", await office.Http.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task Readyz_BrokerDown_SaysWhichWorkerIsNotConnected()
    {
        var database = await cluster.CreateDatabaseAsync();
        var broker = MosquittoBroker.CreateStopped();
        await using (broker)
        {
            await using var office = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "1");

            // The schema is migrated (database up) and the worker tried the broker: /readyz names the worker and why.
            await Eventually.HoldsAsync(
                async () => !(await office.Http.GetStringAsync("/metrics")).Contains("office_worker_connected{worker=\"office-0\"} 1", StringComparison.Ordinal)
                    && (await office.Http.GetAsync("/readyz")) is { StatusCode: HttpStatusCode.ServiceUnavailable } r
                    && (await r.Content.ReadAsStringAsync()) is var body
                    && body.Contains("worker office-0 not connected to the broker:", StringComparison.Ordinal)
                    && !body.Contains("schema", StringComparison.Ordinal),
                TimeSpan.FromSeconds(10), "/readyz 503 naming office-0 and the connect failure");
        }
    }
}
