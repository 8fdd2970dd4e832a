using CreditEdge.Office.Ingest;
using CreditEdge.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace CreditEdge.Office.Tests;

/// <summary>The receive-path probe must not take a busy receive path for a stalled one.</summary>
public sealed class EchoProbeTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Fact]
    public async Task Probe_LostWhileMessagesKeepArriving_NoConnectionIsReplacedUntilTheyStop()
    {
        // The broker drops the probe (this ACL lets nobody write to the echo topics), as a broker or an overloaded office
        // may delay it past EchoTimeout in a backlog (seen in benchmarks/office-scale.sh: a worker replaced mid-stream,
        // ~10 s without commits). Messages coming through meanwhile prove the receive path alive.
        var database = await cluster.CreateDatabaseAsync();
        await using var broker = MosquittoBroker.CreateStopped("allow_anonymous true\nacl_file {dir}/acl");
        await File.WriteAllTextAsync(Path.Combine(broker.Directory, "acl"), "topic readwrite creditedge/devices/#\ntopic read creditedge/office/#\n");
        await broker.StartAsync();
        await using var office = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "1",
            "--Office:EchoInterval", "00:00:00.700", "--Office:EchoTimeout", "00:00:00.500");
        await IngestTests.WaitReadyAsync(office);
        await using var device = new DevicePublisher(broker.Url, "kiosk-e");
        var worker = office.Services.GetRequiredService<IngestWorkers>().Workers[0];

        // a steady stream for 4 s: several probes lost, none taken for a stall
        foreach (var decision in device.MakeDecisions(0, 80))
        {
            await device.PublishDecisionAsync(decision, CancellationToken.None);
            await Task.Delay(50);
        }

        Assert.Equal(0, worker.Stalls);
        await Eventually.HoldsAsync(async () => await OfficeDatabase.CountAsync(database, "SELECT count(*) FROM decisions") == 80,
            TimeSpan.FromSeconds(10), "every decision stored");

        // nothing arrives any more: a lost probe is a stall again, and the connection is replaced
        await Eventually.HoldsAsync(() => worker.Stalls > 0, TimeSpan.FromSeconds(10), "the silent receive path taken for stalled");
    }
}
