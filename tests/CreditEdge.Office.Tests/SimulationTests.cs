using CreditEdge.Office.Simulation;
using CreditEdge.TestKit;
using Npgsql;

namespace CreditEdge.Office.Tests;

/// <summary>The scale simulation, small: simulated devices → Mosquitto → the office's workers → PostgreSQL.</summary>
public sealed class SimulationTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Fact]
    public async Task Simulate_TwentyDevices_EveryAcknowledgedDecisionLandsExactlyOnce()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "2");
        await Eventually.HoldsAsync(async () => (await office.Http.GetAsync("/readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(20), "/readyz 200");

        var simulator = new FleetSimulator(new SimulationOptions
        {
            Broker = new Uri(broker.Url),
            Devices = 20,
            Rate = 150,
            Duration = TimeSpan.FromSeconds(3),
            TelemetryInterval = TimeSpan.FromSeconds(1),
            ConnectWave = 5,
            ModelUpdateChance = 0.05,
            PackageDirectory = RepoPaths.DefaultModel,
        }, TimeProvider.System, TextWriter.Null);
        var report = await simulator.RunAsync(CancellationToken.None);

        Assert.Equal(20, report.Connected);
        Assert.Equal(0, report.DecisionsFailed);
        Assert.InRange(report.DecisionsAcknowledged, 300, 500); // 150/s for 3 s
        var sent = simulator.AcknowledgedDecisionIds.ToHashSet(StringComparer.Ordinal);
        Assert.Equal(report.DecisionsAcknowledged, sent.Count);

        await Eventually.HoldsAsync(async () => await ScalarAsync(database, "SELECT count(*) FROM decisions") >= sent.Count, TimeSpan.FromSeconds(15), "every decision a row");
        var stored = new List<string>();
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT decision_id FROM decisions", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                stored.Add(reader.GetString(0));
            }
        }

        Assert.Equal(sent.Count, stored.Count); // none twice
        Assert.True(sent.SetEquals(stored), "the stored ids are exactly the acknowledged ids");
        Assert.Equal(20, await ScalarAsync(database, "SELECT count(DISTINCT device_id) FROM decisions WHERE device_id LIKE 'sim-00%'"));
        Assert.Equal(0, await ScalarAsync(database, "SELECT count(*) FROM rejected_messages"));
        // each device said online at connect and offline at its clean stop; telemetry carried drift for the package's features
        await Eventually.HoldsAsync(async () => await ScalarAsync(database, "SELECT count(*) FROM devices WHERE state = 'offline'") == 20, TimeSpan.FromSeconds(10), "20 devices offline");
        Assert.True(await ScalarAsync(database, "SELECT count(*) FROM telemetry") >= 20);
        Assert.Equal(21, await ScalarAsync(database, "SELECT count(DISTINCT feature) FROM drift"));
    }

    private static async Task<long> ScalarAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
