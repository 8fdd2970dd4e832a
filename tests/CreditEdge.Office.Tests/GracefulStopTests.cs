using CreditEdge.Office.Ingest;
using CreditEdge.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace CreditEdge.Office.Tests;

public sealed class GracefulStopTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Fact]
    public async Task Stop_WhileABatchCommits_BatchCommittedAndAcknowledgedBeforeDisconnect()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var device = new DevicePublisher(broker.Url, "kiosk-g");
        var decisions = device.MakeDecisions(0, 20);
        long acknowledged;
        await using (var office = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "1", "--batch-size", "20", "--batch-delay", "00:00:01"))
        {
            await IngestTests.WaitReadyAsync(office);
            await cluster.ExecuteAsync(new Npgsql.NpgsqlConnectionStringBuilder(database).Database!, """
                CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(2); RETURN NULL; END $$;
                CREATE TRIGGER slow_commit AFTER INSERT ON decisions FOR EACH STATEMENT EXECUTE FUNCTION slow_commit();
                """);
            foreach (var decision in decisions)
            {
                await device.PublishDecisionAsync(decision, CancellationToken.None);
            }

            var worker = office.Services.GetRequiredService<IngestWorkers>().Workers[0];
            await Eventually.HoldsAsync(() => worker.Stats.QueueDepth == decisions.Count, TimeSpan.FromSeconds(10), "the whole batch in hand");
            await Task.Delay(1500); // the batch window (1 s) closed: the commit is in its 2 s trigger now
            Assert.Equal(0, worker.Stats.Messages);

            await office.StopAsync();
            acknowledged = worker.Stats.Messages;
        }

        Assert.Equal(decisions.Count, acknowledged);
        Assert.Equal(decisions.Count, await OfficeDatabase.CountAsync(database, "SELECT count(*) FROM decisions"));
        // The broker got the acknowledgements: a new office on the same session receives none of them again.
        await using var again = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "1");
        await IngestTests.WaitReadyAsync(again);
        await Task.Delay(1500);
        Assert.Equal(0, again.Services.GetRequiredService<IngestWorkers>().Workers[0].Stats.Messages);
    }
}
