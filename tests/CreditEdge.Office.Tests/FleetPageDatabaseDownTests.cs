using System.Net;
using System.Text.Json;
using CreditEdge.TestKit;

namespace CreditEdge.Office.Tests;

/// <summary>The fleet page's JSON while the office database is down: a 503 problem saying so, and the page itself still served.</summary>
public sealed class FleetPageDatabaseDownTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Fact]
    public async Task Devices_DatabaseStopped_ServiceUnavailableProblem()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "1");
        await Eventually.HoldsAsync(async () => (await office.Http.GetAsync("/readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(20), "/readyz 200");
        Assert.Equal(HttpStatusCode.OK, (await office.Http.GetAsync("/api/fleet/devices")).StatusCode);

        cluster.Stop();
        try
        {
            using var response = await office.Http.GetAsync("/api/fleet/devices");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("https://creditedge.dev/problems/database-unavailable", problem.RootElement.GetProperty("type").GetString());
            Assert.Equal(HttpStatusCode.OK, (await office.Http.GetAsync("/")).StatusCode);
        }
        finally
        {
            cluster.Start();
        }
    }
}
