using System.Net;
using CreditEdge.TestKit;

namespace CreditEdge.Office.Tests;

/// <summary>The office in-process (real Kestrel, real workers) against a real Mosquitto and a real PostgreSQL.</summary>
public sealed class IngestTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Ingest_BrokerRestartedMidStream_EveryDecisionExactlyOnce()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "2");
        await WaitReadyAsync(office);
        var devices = Enumerable.Range(0, 4).Select(n => new DevicePublisher(broker.Url, $"kiosk-{n}")).ToList();
        var decisions = devices.Select(d => d.MakeDecisions(0, 300)).ToList();
        var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var restarted = false;

        var publishing = devices.Select((device, i) => Task.Run(async () =>
        {
            for (var n = 0; n < decisions[i].Count; n++)
            {
                if (i == 0 && n == decisions[i].Count / 2)
                {
                    halfway.TrySetResult();
                }

                await device.PublishDecisionAsync(decisions[i][n], CancellationToken.None);
            }
        })).ToList();
        await halfway.Task;
        await broker.StopAsync();
        await Task.Delay(1000);
        await broker.StartAsync();
        restarted = true;
        await Task.WhenAll(publishing);

        Assert.True(restarted);
        Assert.True(devices.Sum(d => d.Resends) > 0, "no device had to re-send: the broker was not down mid-stream");
        try
        {
            await OfficeDatabase.AssertExactlyOnceAsync(database, decisions.SelectMany(d => d).Select(d => d.DecisionId).ToList(), Settle);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(ex.Message + "\n" + await (await office.Http.GetAsync("/readyz")).Content.ReadAsStringAsync() + "\n" + await office.Http.GetStringAsync("/metrics"));
        }

        foreach (var device in devices)
        {
            await device.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ingest_DeviceResendsItsWindowThreeTimes_EachDecisionOnce()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "2");
        await WaitReadyAsync(office);
        await using var device = new DevicePublisher(broker.Url, "kiosk-7");
        var window = device.MakeDecisions(0, 200);

        for (var round = 0; round < 3; round++)
        {
            foreach (var decision in window)
            {
                await device.PublishDecisionAsync(decision, CancellationToken.None);
            }
        }

        await OfficeDatabase.AssertExactlyOnceAsync(database, window.Select(d => d.DecisionId).ToList(), Settle);
        // Every copy reached the office and was committed (as a no-op) and acknowledged: the duplicates were really delivered.
        await Eventually.HoldsAsync(async () => MetricSum(await office.Http.GetStringAsync("/metrics"), "office_messages_total") >= 600, Settle, "600 messages acknowledged");
        Assert.Equal(200, MetricSum(await office.Http.GetStringAsync("/metrics"), "office_rows_total{table=\"decisions\""));
    }

    [Fact]
    public async Task Ingest_TwoWorkers_EachCommitsAFairShare()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "2");
        await WaitReadyAsync(office);
        var devices = Enumerable.Range(0, 6).Select(n => new DevicePublisher(broker.Url, $"spread-{n}")).ToList();
        var decisions = devices.Select(d => d.MakeDecisions(0, 150)).ToList();

        await Task.WhenAll(devices.Select((device, i) => Task.Run(async () =>
        {
            foreach (var decision in decisions[i])
            {
                await device.PublishDecisionAsync(decision, CancellationToken.None);
            }
        })));

        var all = decisions.SelectMany(d => d).Select(d => d.DecisionId).ToList();
        await OfficeDatabase.AssertExactlyOnceAsync(database, all, Settle);
        var perWorker = (await OfficeDatabase.PairsAsync(database, "SELECT ingested_by, count(*) FROM decisions GROUP BY ingested_by"))
            .ToDictionary(p => p.Item1, p => long.Parse(p.Item2, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["office-0", "office-1"], perWorker.Keys.Order());
        Assert.All(perWorker, p => Assert.True(p.Value >= all.Count / 5, $"{p.Key} committed only {p.Value} of {all.Count}"));
        foreach (var device in devices)
        {
            await device.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ingest_HostileMessages_RejectedWithReasonAndIngestContinues()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "1");
        await WaitReadyAsync(office);
        await using var device = new DevicePublisher(broker.Url, "kiosk-h");
        var good = device.MakeDecisions(0, 40);
        var goodJson = System.Text.Encoding.UTF8.GetString(DevicePublisher.DecisionJsonOf(good[0]));
        var hostile = new (string Kind, byte[] Payload, string Reason)[]
        {
            ("decisions", "not json at all"u8.ToArray(), "not JSON"),
            ("decisions", "[1,2,3]"u8.ToArray(), "not an object"),
            ("decisions", "{\"decisionId\": 5}"u8.ToArray(), "decisionId: a Number"),
            ("decisions", [0xC3, 0x28, 0x7B, 0x7D], "unreadable"),
            ("decisions", System.Text.Encoding.UTF8.GetBytes(goodJson.Replace(good[0].DecisionId, "x\\u0000y", StringComparison.Ordinal)), "\\u0000"),
            ("decisions", System.Text.Encoding.UTF8.GetBytes(goodJson.Replace(good[0].DecisionId, "far-future", StringComparison.Ordinal)
                .Replace(good[0].CreatedAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "9999-01-01", StringComparison.Ordinal)), "createdAt"),
            // passes the parser, refused by PostgreSQL's jsonb (a lone surrogate): the batch falls back to one message at a time
            ("decisions", System.Text.Encoding.UTF8.GetBytes(goodJson.Replace(good[0].DecisionId, "lone-surrogate", StringComparison.Ordinal)
                .Replace("\"app-0\"", "\"\\ud800\"", StringComparison.Ordinal)), "refused by PostgreSQL"),
            ("status", "{\"state\":\"online\",\"deviceId\":\"someone-else\",\"at\":\"2026-11-30T08:00:00Z\"}"u8.ToArray(), "is not the topic's device"),
            ("telemetry", System.Text.Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000)), "not JSON"),
            ("telemetry", System.Text.Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 300_000) + "\"}"), "byte limit"),
        };

        // hostile messages in the middle of good ones, in the same batches
        for (var i = 0; i < good.Count; i++)
        {
            await device.PublishDecisionAsync(good[i], CancellationToken.None);
            if (i < hostile.Length)
            {
                await device.PublishAsync($"creditedge/devices/{device.DeviceId}/{hostile[i].Kind}", hostile[i].Payload, CancellationToken.None);
            }
        }

        await OfficeDatabase.AssertExactlyOnceAsync(database, good.Select(d => d.DecisionId).ToList(), Settle);
        await Eventually.HoldsAsync(async () => await OfficeDatabase.CountAsync(database, "SELECT count(*) FROM rejected_messages") >= hostile.Length, Settle, "every hostile message in rejected_messages");
        var reasons = (await OfficeDatabase.PairsAsync(database, "SELECT topic, reason FROM rejected_messages")).Select(r => r.Item2).ToList();
        Assert.Equal(hostile.Length, reasons.Count);
        foreach (var h in hostile)
        {
            Assert.True(reasons.Any(r => r.Contains(h.Reason, StringComparison.Ordinal)), $"no reason says '{h.Reason}': {string.Join(" | ", reasons)}");
        }

        Assert.Equal(64 * 1024, await OfficeDatabase.CountAsync(database, "SELECT max(length(payload)) FROM rejected_messages"));
        Assert.Equal(0, MetricSum(await office.Http.GetStringAsync("/metrics"), "office_receive_stalls_total"));
        Assert.Equal(HttpStatusCode.OK, (await office.Http.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task Ingest_StatusTelemetryAndModelEvents_NewestStatusWinsDriftExtractedEventsOnce()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "2");
        await WaitReadyAsync(office);
        await using var device = new DevicePublisher(broker.Url, "kiosk-s");
        static string Status(string state, string at) =>
            $$"""{"state":"{{state}}","deviceId":"kiosk-s","agentVersion":"1.4.0","modelId":"taiwan-credit","modelVersion":"0.2.0","variant":"int8","uptimeSeconds":5,"at":"{{at}}"}""";

        await device.PublishRawAsync("status", Status("online", "2026-11-30T08:00:02Z"), CancellationToken.None);
        await device.PublishRawAsync("status", Status("offline", "2026-11-30T08:00:01Z"), CancellationToken.None); // older: must not win
        for (var round = 0; round < 2; round++) // sent twice: stored once
        {
            await device.PublishRawAsync("telemetry", """
                {"deviceId":"kiosk-s","at":"2026-11-30T08:00:00Z","decisions":{"approve":3},"latencyBuckets":{},"outboxDepth":0,"storageBytes":10,
                 "drift":{"observations":40,"scorePsi":0.02,"featurePsi":{"LIMIT_BAL":0.11,"PAY_0":0.31}}}
                """, CancellationToken.None);
            await device.PublishRawAsync("model/events", """
                {"event":"active","deviceId":"kiosk-s","sequence":7,"modelId":"taiwan-credit","version":"0.2.0","packageSha256":null,"at":"2026-11-30T08:00:00Z"}
                """, CancellationToken.None);
        }

        await Eventually.HoldsAsync(async () => MetricSum(await office.Http.GetStringAsync("/metrics"), "office_messages_total") >= 6, Settle, "6 messages acknowledged");
        Assert.Equal([("online", "2026-11-30 08:00:02")],
            await OfficeDatabase.PairsAsync(database, "SELECT state, to_char(last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM devices"));
        Assert.Equal(1, await OfficeDatabase.CountAsync(database, "SELECT count(*) FROM telemetry WHERE device_id = 'kiosk-s'"));
        Assert.Equal([("LIMIT_BAL", "0.11"), ("PAY_0", "0.31")],
            await OfficeDatabase.PairsAsync(database, "SELECT feature, psi FROM drift WHERE device_id = 'kiosk-s' ORDER BY feature"));
        Assert.Equal([("active", "7")], await OfficeDatabase.PairsAsync(database, "SELECT event, sequence FROM model_events"));
        Assert.Equal(0, await OfficeDatabase.CountAsync(database, "SELECT count(*) FROM rejected_messages"));

        // A newer status replaces the row.
        await device.PublishRawAsync("status", Status("offline", "2026-11-30T09:00:00Z"), CancellationToken.None);
        await Eventually.HoldsAsync(async () => (await OfficeDatabase.PairsAsync(database, "SELECT state, device_id FROM devices")).SequenceEqual([("offline", "kiosk-s")]),
            Settle, "the newer status stored");
    }

    [Fact]
    public async Task Ingest_StatusRetainedBeforeTheOfficeStarted_DeviceRowAppears()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var broker = await MosquittoBroker.StartNewAsync();
        using (var publisher = new MQTTnet.MqttClientFactory().CreateMqttClient())
        {
            await publisher.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port)
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithClientId("device-early").Build());
            await publisher.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder().WithTopic("creditedge/devices/early/status").WithRetainFlag(true)
                .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)
                .WithPayload("""{"state":"online","deviceId":"early","agentVersion":"1.4.0","uptimeSeconds":5,"at":"2026-11-30T08:00:00Z"}""").Build());
            await publisher.DisconnectAsync(new MQTTnet.MqttClientDisconnectOptionsBuilder().Build());
        }

        await using var office = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "2");
        await WaitReadyAsync(office);

        await Eventually.HoldsAsync(async () => (await OfficeDatabase.PairsAsync(database, "SELECT device_id, state FROM devices")).SequenceEqual([("early", "online")]),
            Settle, "the retained status of a device that has not reconnected");
    }

    [Fact]
    public async Task Ingest_DeviceVanishes_ItsLastWillMarksItOfflineButAnOlderConnectionsNever()
    {
        // as the agent does (DevicePresence): the Will is made at connect, so its `at` is older than the "online" sent
        // just after; both carry the connection's `connectedAt`
        var database = await cluster.CreateDatabaseAsync();
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "2");
        await WaitReadyAsync(office);
        var first = new DateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds() * TimeSpan.TicksPerSecond + DateTimeOffset.UnixEpoch.Ticks, TimeSpan.Zero);
        var factory = new MQTTnet.MqttClientFactory();
        using (var device = factory.CreateMqttClient())
        {
            await device.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port)
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithClientId("kiosk-v")
                .WithWillTopic("creditedge/devices/kiosk-v/status").WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)
                .WithWillPayload(VanishStatus("offline", first, first)).Build());
            await device.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder().WithTopic("creditedge/devices/kiosk-v/status").WithRetainFlag(true)
                .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).WithPayload(VanishStatus("online", first, first.AddSeconds(1))).Build());
            await Eventually.HoldsAsync(async () => (await OfficeDatabase.PairsAsync(database, "SELECT device_id, state FROM devices")).SequenceEqual([("kiosk-v", "online")]),
                Settle, "the device online");

            // gone without a goodbye: the broker publishes its Will (reason 4 asks for exactly that)
            await device.DisconnectAsync(new MQTTnet.MqttClientDisconnectOptionsBuilder().WithReason(MQTTnet.MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build());
        }

        var lastSeen = first.AddSeconds(1).UtcDateTime.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        await Eventually.HoldsAsync(async () => (await OfficeDatabase.PairsAsync(database, "SELECT state, to_char(last_seen AT TIME ZONE 'UTC', 'HH24:MI:SS') FROM devices"))
            .SequenceEqual([("offline", lastSeen)]), Settle, "the Will taking the device offline, last seen still its online status");

        // back on a later connection; then a status of the earlier connection arrives late (another worker, a replay): ignored
        await using var publisher = new DevicePublisher(broker.Url, "kiosk-v");
        await publisher.PublishRawAsync("status", VanishStatus("online", first.AddMinutes(5), first.AddMinutes(5)), CancellationToken.None);
        await Eventually.HoldsAsync(async () => (await OfficeDatabase.PairsAsync(database, "SELECT device_id, state FROM devices")).SequenceEqual([("kiosk-v", "online")]),
            Settle, "online again");
        await publisher.PublishRawAsync("status", VanishStatus("offline", first, first.AddMinutes(6)), CancellationToken.None);
        await Eventually.HoldsAsync(async () => MetricSum(await office.Http.GetStringAsync("/metrics"), "office_messages_total") >= 4, Settle, "4 statuses acknowledged");
        Assert.Equal([("kiosk-v", "online")], await OfficeDatabase.PairsAsync(database, "SELECT device_id, state FROM devices"));
    }

    private static string VanishStatus(string state, DateTimeOffset connectedAt, DateTimeOffset at) =>
        "{\"state\":\"" + state + "\",\"deviceId\":\"kiosk-v\",\"agentVersion\":\"1.4.0\",\"uptimeSeconds\":5,\"at\":\""
        + at.ToString("O", System.Globalization.CultureInfo.InvariantCulture) + "\",\"connectedAt\":\""
        + connectedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture) + "\"}";

    internal static Task WaitReadyAsync(InProcessOffice office) =>
        Eventually.HoldsAsync(async () => (await office.Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "/readyz 200");

    /// <summary>The sum of every sample whose line starts with <paramref name="prefix"/>.</summary>
    internal static long MetricSum(string metrics, string prefix) =>
        metrics.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
            .Sum(l => (long)double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
}
