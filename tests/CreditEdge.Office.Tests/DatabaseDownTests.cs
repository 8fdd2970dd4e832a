using System.Net;
using CreditEdge.TestKit;

namespace CreditEdge.Office.Tests;

/// <summary>Stops and starts its own cluster, so it has one to itself.</summary>
public sealed class DatabaseDownTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Fact]
    public async Task Ingest_DatabaseDownForAWhile_NothingAcknowledgedQueueBoundedThenCatchesUp()
    {
        const int maxInFlight = 40;
        var database = await cluster.CreateDatabaseAsync();
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "1", "--batch-size", "25", "--max-in-flight", $"{maxInFlight}");
        await IngestTests.WaitReadyAsync(office);
        await using var device = new DevicePublisher(broker.Url, "kiosk-db");
        var decisions = device.MakeDecisions(0, 300);

        cluster.Stop();
        try
        {
            foreach (var decision in decisions)
            {
                await device.PublishDecisionAsync(decision, CancellationToken.None); // the broker takes them all
            }

            // The worker holds at most Receive Maximum messages, acknowledges none, and /readyz says why.
            await Eventually.HoldsAsync(async () => IngestTests.MetricSum(await office.Http.GetStringAsync("/metrics"), "office_queue_depth") == maxInFlight,
                TimeSpan.FromSeconds(20), $"the worker holding {maxInFlight} messages");
            var ready = await office.Http.GetAsync("/readyz");
            var body = await ready.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("\"database: ", body, StringComparison.Ordinal);
            Assert.Contains("worker office-0 cannot commit", body, StringComparison.Ordinal);
            await Task.Delay(1500);
            var metrics = await office.Http.GetStringAsync("/metrics");
            Assert.Equal(0, IngestTests.MetricSum(metrics, "office_messages_total"));
            Assert.Equal(maxInFlight, IngestTests.MetricSum(metrics, "office_queue_depth"));
            Assert.True(IngestTests.MetricSum(metrics, "office_commit_failures_total") > 0);
        }
        finally
        {
            cluster.Start();
        }

        await OfficeDatabase.AssertExactlyOnceAsync(database, decisions.Select(d => d.DecisionId).ToList(), TimeSpan.FromSeconds(30));
        await IngestTests.WaitReadyAsync(office);
    }

    [Fact]
    public async Task Ingest_DatabaseDownAcrossBrokerRestarts_QueueStaysBoundedAndEveryDecisionLandsOnce()
    {
        const int maxInFlight = 10;
        var database = await cluster.CreateDatabaseAsync();
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "1", "--batch-size", "5", "--max-in-flight", $"{maxInFlight}");
        await IngestTests.WaitReadyAsync(office);
        await using var device = new DevicePublisher(broker.Url, "kiosk-db2");
        var decisions = device.MakeDecisions(0, 100);

        cluster.Stop();
        try
        {
            foreach (var decision in decisions)
            {
                await device.PublishDecisionAsync(decision, CancellationToken.None);
            }

            // Each broker restart re-delivers the unacknowledged window on a new connection while the old copies are
            // still queued: the queue fills to twice the window and then refuses (leaves unacknowledged) the rest.
            for (var restart = 0; restart < 3; restart++)
            {
                await Eventually.HoldsAsync(async () => IngestTests.MetricSum(await office.Http.GetStringAsync("/metrics"), "office_worker_connected") == 1
                    && IngestTests.MetricSum(await office.Http.GetStringAsync("/metrics"), "office_queue_depth") >= Math.Min(2, restart + 1) * maxInFlight,
                    TimeSpan.FromSeconds(20), $"the worker connected and holding its window (restart {restart})");
                await broker.StopAsync();
                await broker.StartAsync();
            }

            await Eventually.HoldsAsync(async () => IngestTests.MetricSum(await office.Http.GetStringAsync("/metrics"), "office_worker_connected") == 1,
                TimeSpan.FromSeconds(20), "the worker connected after the last restart");
            var metrics = await office.Http.GetStringAsync("/metrics");
            Assert.True(IngestTests.MetricSum(metrics, "office_queue_depth") <= (2 * maxInFlight) + 5, metrics); // the queue and the batch in hand
            Assert.Equal(0, IngestTests.MetricSum(metrics, "office_messages_total"));
        }
        finally
        {
            cluster.Start();
        }

        await OfficeDatabase.AssertExactlyOnceAsync(database, decisions.Select(d => d.DecisionId).ToList(), TimeSpan.FromSeconds(40));
        Assert.Equal(0, IngestTests.MetricSum(await office.Http.GetStringAsync("/metrics"), "office_receive_stalls_total"));
    }
}
