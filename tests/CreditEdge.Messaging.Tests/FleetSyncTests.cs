using System.Text.Json;
using CreditEdge.Messaging;
using CreditEdge.TestKit;

namespace CreditEdge.Messaging.Tests;

public sealed class FleetSyncTests
{
    private const string Device = "kiosk-1";

    [Fact]
    public async Task OutboxPump_DecisionsMadeOffline_ArriveInOrderAfterConnect()
    {
        await using var broker = MosquittoBroker.CreateStopped();
        await broker.StartAsync();
        // the central office's persistent session exists before the device goes on line
        await (await MqttProbe.ConnectAsync(broker.Port, "office", cleanStart: false, subscribe: Topics.Decisions(Device))).DisposeAsync();
        await broker.StopAsync();

        await using var device = new LinkHarness(broker.Url, Device);
        await device.SaveDecisionsAsync(300);
        await device.StartAsync();
        await Task.Delay(1500); // the link retries against a broker that is not there
        Assert.False(device.Link.IsConnected);
        Assert.Equal(300, device.Outbox.Depth);

        await broker.StartAsync();
        await using var office = await MqttProbe.ConnectAsync(broker.Port, "office", cleanStart: false, subscribe: Topics.Decisions(Device));
        await office.WaitForAsync(m => m.Count(x => x.Topic == Topics.Decisions(Device)) >= 300, TimeSpan.FromSeconds(30), "300 decisions");
        await Eventually.HoldsAsync(() => device.Outbox.Depth == 0, TimeSpan.FromSeconds(10), "an empty outbox");

        var ids = office.Messages.Where(m => m.Topic == Topics.Decisions(Device)).Select(m => DecisionId(m.Payload)).ToList();
        var expected = Enumerable.Range(0, 300).Select(i => $"d-{i:D6}").ToList();
        Assert.Equal(expected, ids.Select(id => id[..8]).Distinct().ToList()); // all there, in the order they were decided
    }

    [Fact]
    public async Task OutboxPump_NobodySubscribed_KeepsTheDecisionsUntilTheOfficeSubscribes()
    {
        // "no matching subscribers" (PUBACK 16): the broker took each decision and dropped it. Seen for real when Mosquitto
        // 2.0 restarts and forgets the office's shared subscriptions until its workers subscribe again.
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var device = new LinkHarness(broker.Url, Device);
        await device.SaveDecisionsAsync(50);
        await device.StartAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(device.Link.IsConnected), TimeSpan.FromSeconds(10), "the link up");
        await Task.Delay(1500); // the pump tries, and is told nobody takes them
        Assert.Equal(50, device.Outbox.Depth);

        await using var office = await MqttProbe.ConnectAsync(broker.Port, "office-1", cleanStart: false, subscribe: $"$share/office/{Topics.Decisions(Device)}");
        await office.WaitForAsync(m => Unique(m).Count == 50, TimeSpan.FromSeconds(30), "all 50 decisions");
        await Eventually.HoldsAsync(() => device.Outbox.Depth == 0, TimeSpan.FromSeconds(10), "an empty outbox");
    }

    [Fact]
    public async Task OutboxPump_BrokerStoppedAndRestartedMidStream_LosesNothing()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await MqttProbe.ConnectAsync(broker.Port, "office", cleanStart: false, subscribe: Topics.Decisions(Device));
        await using var device = new LinkHarness(broker.Url, Device);
        await device.SaveDecisionsAsync(3000);
        await device.StartAsync();

        await office.WaitForAsync(m => m.Count >= 500, TimeSpan.FromSeconds(30), "the stream to start");
        await broker.StopAsync();
        await device.SaveDecisionsAsync(200, offset: 3000); // decided while the broker is down
        await broker.StartAsync();
        await office.ReconnectAsync();

        await office.WaitForAsync(m => Unique(m).Count == 3200, TimeSpan.FromSeconds(60), "all 3200 decisions");
        await Eventually.HoldsAsync(() => device.Outbox.Depth == 0, TimeSpan.FromSeconds(10), "an empty outbox");
        Assert.Equal(3200, Unique(office.Messages.ToArray()).Count);
    }

    [Fact]
    public async Task OutboxPump_BrokerKilledHardAndRestartedMidStream_LosesNothing()
    {
        // SIGKILL: Mosquitto acknowledges before it saves, so the fixture saves on every change (the shipped config
        // bounds that window the same way) and the office is on line, receiving as the device publishes.
        await using var broker = await MosquittoBroker.StartNewAsync("autosave_on_changes true\nautosave_interval 1");
        await using var office = await MqttProbe.ConnectAsync(broker.Port, "office", cleanStart: false, subscribe: Topics.Decisions(Device));
        await using var device = new LinkHarness(broker.Url, Device);
        await device.SaveDecisionsAsync(2000);
        await device.StartAsync();

        await office.WaitForAsync(m => m.Count >= 400, TimeSpan.FromSeconds(30), "the stream to start");
        await broker.KillAsync();
        await broker.StartAsync();
        await office.ReconnectAsync();

        await office.WaitForAsync(m => Unique(m).Count == 2000, TimeSpan.FromSeconds(60), "all 2000 decisions");
        await Eventually.HoldsAsync(() => device.Outbox.Depth == 0, TimeSpan.FromSeconds(10), "an empty outbox");
    }

    [Fact]
    public async Task FleetLink_Connect_PublishesRetainedOnlineStatusWithModel()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var device = new LinkHarness(broker.Url, Device);
        await device.StartAsync();
        await device.Link.WaitConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);

        // a late subscriber still sees it: it is retained
        await using var office = await MqttProbe.ConnectAsync(broker.Port, "office", subscribe: Topics.Status(Device));
        await office.WaitForAsync(m => m.Any(x => x.Retained), TimeSpan.FromSeconds(10), "retained status");
        using var status = JsonDocument.Parse(office.Messages.First().Payload);
        Assert.Equal("online", status.RootElement.GetProperty("state").GetString());
        Assert.Equal(Device, status.RootElement.GetProperty("deviceId").GetString());
        Assert.Equal("taiwan-credit", status.RootElement.GetProperty("modelId").GetString());
    }

    [Fact]
    public async Task FleetLink_CleanStop_PublishesRetainedOffline()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await MqttProbe.ConnectAsync(broker.Port, "office", subscribe: Topics.Status(Device));
        var device = new LinkHarness(broker.Url, Device);
        await device.StartAsync();
        await office.WaitForAsync(m => m.Any(x => x.Payload.Contains("\"online\"", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "online");
        await device.DisposeAsync();
        await office.WaitForAsync(m => m.Any(x => x.Payload.Contains("\"offline\"", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "offline");

        // both name the connection they belong to (as its Last Will does), so an office orders them by connection first
        using var online = JsonDocument.Parse(office.Messages.First(x => x.Payload.Contains("\"online\"", StringComparison.Ordinal)).Payload);
        using var offline = JsonDocument.Parse(office.Messages.First(x => x.Payload.Contains("\"offline\"", StringComparison.Ordinal)).Payload);
        var connectedAt = online.RootElement.GetProperty("connectedAt").GetDateTimeOffset();
        Assert.Equal(connectedAt, offline.RootElement.GetProperty("connectedAt").GetDateTimeOffset());
        Assert.True(online.RootElement.GetProperty("at").GetDateTimeOffset() >= connectedAt);
        Assert.True(offline.RootElement.GetProperty("at").GetDateTimeOffset() > connectedAt);
    }

    [Fact]
    public async Task FleetLink_BurstOf20000Messages_AllReceivedOnce()
    {
        const int Count = 20_000;
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var device = new LinkHarness(broker.Url, Device);
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>();
        device.Link.Subscribe("test/burst", (m, _) =>
        {
            seen.TryAdd(System.Text.Encoding.UTF8.GetString(m.Payload.Span), 0);
            return Task.CompletedTask;
        });
        await device.StartAsync();
        await device.Link.WaitConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);

        await using var office = await MqttProbe.ConnectAsync(broker.Port, "burster");
        var sends = new List<Task>(Count);
        for (var i = 0; i < Count; i++)
        {
            sends.Add(office.PublishAsync("test/burst", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        await Task.WhenAll(sends);
        await Eventually.HoldsAsync(() => seen.Count == Count, TimeSpan.FromSeconds(90), $"{Count} messages (have {seen.Count}, stalls {device.Link.Stalls})");
        Assert.Equal(Count, seen.Count);
    }

    [Fact]
    public async Task FleetLink_ReceivePathStalled_DetectedReplacedAndNothingLost()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var device = new LinkHarness(broker.Url, Device, o =>
        {
            o.EchoInterval = TimeSpan.FromMilliseconds(300);
            o.EchoTimeout = TimeSpan.FromMilliseconds(800);
        });
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>();
        var stuck = 0;
        device.Link.Subscribe("test/slow", async (m, ct) =>
        {
            if (Interlocked.Exchange(ref stuck, 1) == 0)
            {
                await Task.Delay(3000, ct); // the receive path stops processing while the connection stays up
            }

            seen.TryAdd(System.Text.Encoding.UTF8.GetString(m.Payload.Span), 0);
        });
        await device.StartAsync();
        await device.Link.WaitConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);

        await using var office = await MqttProbe.ConnectAsync(broker.Port, "sender");
        for (var i = 0; i < 200; i++)
        {
            await office.PublishAsync("test/slow", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await Eventually.HoldsAsync(() => device.Link.Stalls >= 1, TimeSpan.FromSeconds(10), "the stall to be detected");
        await Eventually.HoldsAsync(() => seen.Count == 200, TimeSpan.FromSeconds(30), "all 200 messages after recovery");
        await device.Link.WaitConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        Assert.True(device.Link.IsConnected);
    }

    [Fact]
    public async Task FleetLink_BrokerFreezesWithTheConnectionOpen_StallFoundWithinTheEchoTimeoutNotTheKeepAlive()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var device = new LinkHarness(broker.Url, Device, o =>
        {
            o.EchoInterval = TimeSpan.FromMilliseconds(300);
            o.EchoTimeout = TimeSpan.FromMilliseconds(800);
            o.KeepAlive = TimeSpan.FromSeconds(60); // so it is the probe that notices, not MQTTnet's keep-alive
        });
        await device.StartAsync();
        await device.Link.WaitConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);

        broker.Freeze(); // no PUBACK, no echo, no error: the probe's publish never completes
        try
        {
            await Eventually.HoldsAsync(() => device.Link.Stalls >= 1, TimeSpan.FromSeconds(15), "the frozen broker to be found by the probe");
        }
        finally
        {
            broker.Thaw();
        }

        await device.Link.WaitConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        await using var office = await MqttProbe.ConnectAsync(broker.Port, "office", subscribe: Topics.Decisions(Device));
        await device.SaveDecisionsAsync(1);
        await office.WaitForAsync(m => m.Any(x => x.Topic == Topics.Decisions(Device)), TimeSpan.FromSeconds(30), "a decision delivered after the thaw");
    }

    [Fact]
    public async Task FleetLink_HandlerFails_MessageUnacknowledgedAndDeliveredAgainAfterReconnect()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var device = new LinkHarness(broker.Url, Device);
        var deliveries = new System.Collections.Concurrent.ConcurrentQueue<string>();
        device.Link.Subscribe("test/ack/#", (m, _) =>
        {
            var payload = System.Text.Encoding.UTF8.GetString(m.Payload.Span);
            deliveries.Enqueue(payload);
            return payload == "fails" && deliveries.Count(d => d == "fails") == 1
                ? throw new IOException("disk full") // the first time only
                : Task.CompletedTask;
        });
        await device.StartAsync();
        await device.Link.WaitConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        await using (var office = await MqttProbe.ConnectAsync(broker.Port, "sender"))
        {
            await office.PublishAsync("test/ack/1", "fails");
            await office.PublishAsync("test/ack/2", "works");
        }

        await Eventually.HoldsAsync(() => deliveries.Count == 2, TimeSpan.FromSeconds(10), "both messages handled once");
        await broker.StopAsync();
        await broker.StartAsync();

        // the failed one was never acknowledged: the resumed session brings it back; the handled one was, and does not come back
        await Eventually.HoldsAsync(() => deliveries.Count(d => d == "fails") == 2, TimeSpan.FromSeconds(30), "the failed message again");
        await Task.Delay(500);
        Assert.Equal(1, deliveries.Count(d => d == "works"));
    }

    [Fact]
    public async Task Commands_StatusSyncNowAndUnknown_AnswerOnResponseTopic()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var device = new LinkHarness(broker.Url, Device);
        await device.StartAsync();
        await device.Link.WaitConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        await using var office = await MqttProbe.ConnectAsync(broker.Port, "office", subscribe: "office/replies/#");

        await office.PublishAsync(Topics.Command(Device, "status"), "{}", responseTopic: "office/replies/1", correlation: [1]);
        await office.PublishAsync(Topics.Command(Device, "sync-now"), "", responseTopic: "office/replies/2", correlation: [2]);
        await office.PublishAsync(Topics.Command(Device, "reboot-now"), "{}", responseTopic: "office/replies/3", correlation: [3]);
        await office.WaitForAsync(m => m.Count >= 3, TimeSpan.FromSeconds(10), "three replies");

        var replies = office.Messages.ToDictionary(m => m.Topic, m => JsonDocument.Parse(m.Payload).RootElement);
        Assert.True(replies["office/replies/1"].GetProperty("ok").GetBoolean());
        Assert.Equal("online", replies["office/replies/1"].GetProperty("state").GetString());
        Assert.True(replies["office/replies/2"].GetProperty("ok").GetBoolean());
        Assert.Equal(0, replies["office/replies/2"].GetProperty("outboxDepth").GetInt64());
        Assert.False(replies["office/replies/3"].GetProperty("ok").GetBoolean());
        Assert.Contains("unknown command 'reboot-now'", replies["office/replies/3"].GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FleetLink_BrokerUnreachable_RetriesWithoutThrowingAndConnectsWhenItComes()
    {
        await using var broker = MosquittoBroker.CreateStopped();
        await using var device = new LinkHarness(broker.Url, Device);
        await device.StartAsync();
        await Task.Delay(1200);
        Assert.False(device.Link.IsConnected);
        Assert.True(device.Link.Reconnects == 0, "the connect pipeline retries inside one pass");

        await broker.StartAsync();
        await device.Link.WaitConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token);
        Assert.True(device.Link.IsConnected);
    }

    internal static string DecisionId(string payload) =>
        JsonDocument.Parse(payload).RootElement.GetProperty("decisionId").GetString()!;

    private static HashSet<string> Unique(IEnumerable<(string Topic, string Payload, bool Retained)> messages) =>
        messages.Where(m => m.Topic == Topics.Decisions(Device)).Select(m => DecisionId(m.Payload)).ToHashSet();
}
