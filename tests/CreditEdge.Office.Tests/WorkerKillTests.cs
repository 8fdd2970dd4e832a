using CreditEdge.TestKit;

namespace CreditEdge.Office.Tests;

public sealed class WorkerKillTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Fact]
    public async Task Ingest_OfficeKilledMidBatchAndRestarted_EveryDecisionExactlyOnce()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var broker = await MosquittoBroker.StartNewAsync();
        string[] args = ["--broker", broker.Url, "--database", database, "--workers", "2", "--batch-size", "50", "--Office:RetryMinDelay", "00:00:00.100", "--Office:RetryMaxDelay", "00:00:01"];
        var devices = Enumerable.Range(0, 3).Select(n => new DevicePublisher(broker.Url, $"kill-{n}")).ToList();
        var decisions = devices.Select(d => d.MakeDecisions(0, 200)).ToList();
        var expected = decisions.SelectMany(d => d).Select(d => d.DecisionId).ToList();

        var first = OfficeProcess.Start(args);
        await using (first)
        {
            await first.WaitReadyAsync(TimeSpan.FromSeconds(30));
            // Every batch commit now takes 300 ms, so batches are in flight (committing, queued, unacknowledged) when the kill comes.
            await using var slow = Npgsql.NpgsqlDataSource.Create(database);
            await using (var trigger = slow.CreateCommand("""
                CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.3); RETURN NULL; END $$;
                CREATE TRIGGER slow_commit AFTER INSERT ON decisions FOR EACH STATEMENT EXECUTE FUNCTION slow_commit();
                """))
            {
                await trigger.ExecuteNonQueryAsync();
            }

            var publishing = devices.Select((device, i) => Task.Run(async () =>
            {
                foreach (var decision in decisions[i])
                {
                    await device.PublishDecisionAsync(decision, CancellationToken.None);
                }
            })).ToList();

            long queued = 0;
            await Eventually.HoldsAsync(async () =>
            {
                var metrics = await first.Http.GetStringAsync("/metrics");
                queued = IngestTests.MetricSum(metrics, "office_queue_depth");
                return IngestTests.MetricSum(metrics, "office_rows_total{table=\"decisions\"") >= 50 && queued > 0;
            }, TimeSpan.FromSeconds(30), "some batches committed and more in flight");
            await first.KillHardAsync();
            var atKill = await OfficeDatabase.CountAsync(database, "SELECT count(*) FROM decisions");

            Assert.True(atKill < expected.Count, $"all {expected.Count} were stored before the kill: it was not mid-stream");
            Assert.True(queued > 0);
            await Task.WhenAll(publishing);
            await using (var fast = slow.CreateCommand("DROP TRIGGER slow_commit ON decisions"))
            {
                await fast.ExecuteNonQueryAsync();
            }
        }

        await using var second = OfficeProcess.Start(args);
        await second.WaitReadyAsync(TimeSpan.FromSeconds(30));
        await OfficeDatabase.AssertExactlyOnceAsync(database, expected, TimeSpan.FromSeconds(30));
        foreach (var device in devices)
        {
            await device.DisposeAsync();
        }
    }
}
