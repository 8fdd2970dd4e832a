using CreditEdge.Core.Policy;
using CreditEdge.Messaging.Rollout;
using CreditEdge.TestKit;
using Npgsql;

namespace CreditEdge.Office.Tests;

/// <summary>
/// The fleet the page tests look at, seeded once through the real ingest (Mosquitto → the office's workers → PostgreSQL):
/// kiosk-a online, updated to 1.2.0 (every step to active), drifting on AGE; kiosk-b online, 1.2.0 rejected by its
/// golden check, locked; kiosk-c stopped (offline). 4 approve, 2 refer and 1 decline decisions.
/// </summary>
public sealed class FleetPageFleet : IAsyncLifetime
{
    public const int Approve = 4;
    public const int Refer = 2;
    public const int Decline = 1;

    public static readonly string[] DriftFeatures = ["AGE", "CREDIT_LIMIT", "PAYMENTDELAY_1"];

    private MosquittoBroker? _broker;

    public InProcessOffice Office { get; private set; } = null!;

    /// <summary>Disposed in <see cref="DisposeAsync"/>.</summary>
    private PostgresCluster? Cluster { get; set; }

    public string Database { get; private set; } = null!;

    /// <summary>When the seed began (UTC); every seeded time is at most a few minutes before it.</summary>
    public DateTimeOffset Now { get; } = DateTimeOffset.UtcNow;

    public async Task InitializeAsync()
    {
        Cluster = new PostgresCluster();
        Database = await Cluster.CreateDatabaseAsync();
        _broker = await MosquittoBroker.StartNewAsync();
        Office = await InProcessOffice.StartAsync(_broker.Url, Database, "--workers", "2");
        // every worker subscribed before anything is published: decisions and events are not retained
        await Eventually.HoldsAsync(async () => (await Office.Http.GetAsync("/readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(20), "/readyz 200");

        var t = Now.AddMinutes(-10);
        await using (var a = await FleetPageSeedDevice.ConnectAsync(_broker.Url, "kiosk-a"))
        {
            await a.StatusAsync("online", "1.1.1", t);
            await a.TelemetryAsync(t.AddMinutes(1), new Dictionary<string, double> { ["AGE"] = 0.12, ["CREDIT_LIMIT"] = 0.03, ["PAYMENTDELAY_1"] = 0.05 });
            await a.TelemetryAsync(t.AddMinutes(2), new Dictionary<string, double> { ["AGE"] = 0.31, ["CREDIT_LIMIT"] = 0.04, ["PAYMENTDELAY_1"] = 0.08 });
            string[] steps = [ModelEvents.Received, ModelEvents.Downloading, ModelEvents.Downloaded, ModelEvents.Verified, ModelEvents.Validated, ModelEvents.Active];
            for (var i = 0; i < steps.Length; i++)
            {
                await a.ModelEventAsync(steps[i], 5, "1.2.0", t.AddMinutes(3).AddSeconds(i));
            }

            await a.StatusAsync("online", "1.2.0", t.AddMinutes(4), rollout: new RolloutStatus(ModelEvents.Active, 5, "taiwan-credit", "1.2.0", t.AddMinutes(4)));
            foreach (var outcome in new[] { Outcome.Approve, Outcome.Approve, Outcome.Approve, Outcome.Refer })
            {
                await a.DecisionAsync(outcome, t.AddMinutes(5));
            }
        }

        await using (var b = await FleetPageSeedDevice.ConnectAsync(_broker.Url, "kiosk-b"))
        {
            await b.StatusAsync("online", "1.1.1", t);
            await b.ModelEventAsync(ModelEvents.Received, 5, "1.2.0", t.AddMinutes(3));
            await b.ModelEventAsync(ModelEvents.Rejected, 5, "1.2.0", t.AddMinutes(3).AddSeconds(2), check: "golden");
            await b.TelemetryAsync(t.AddMinutes(2), new Dictionary<string, double> { ["AGE"] = 0.01, ["CREDIT_LIMIT"] = 0.02, ["PAYMENTDELAY_1"] = 0.01 });
            await b.StatusAsync("online", "1.1.1", t.AddMinutes(6), locked: "enclosure opened");
            await b.DecisionAsync(Outcome.Approve, t.AddMinutes(5));
            await b.DecisionAsync(Outcome.Decline, t.AddMinutes(5));
        }

        await using (var c = await FleetPageSeedDevice.ConnectAsync(_broker.Url, "kiosk-c"))
        {
            await c.StatusAsync("online", "1.1.1", t);
            await c.DecisionAsync(Outcome.Refer, t.AddMinutes(1));
            await c.StatusAsync("offline", "1.1.1", t.AddMinutes(2)); // a clean stop says offline itself
        }

        await Eventually.HoldsAsync(SeededAsync, TimeSpan.FromSeconds(30), "every seeded row in the office database");
    }

    public async Task DisposeAsync()
    {
        await Office.DisposeAsync();
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        Cluster?.Dispose();
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<bool> SeededAsync() =>
        await CountAsync("SELECT count(*) FROM decisions") == Approve + Refer + Decline
        && await CountAsync("SELECT count(*) FROM model_events") == 8
        && await CountAsync("SELECT count(*) FROM telemetry") == 3
        && await CountAsync("SELECT count(*) FROM devices WHERE (device_id = 'kiosk-c' AND state = 'offline') OR (device_id = 'kiosk-b' AND locked IS NOT NULL) OR (device_id = 'kiosk-a' AND model_version = '1.2.0')") == 3;
}
