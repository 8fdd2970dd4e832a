using System.Text.Json;
using CreditEdge.Messaging;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Agent.Tests;

/// <summary>The agent process against a real Mosquitto: crashes, the Last Will, and the outbox's promise.</summary>
[Collection(BrokerTests.Name)]
public sealed class FleetProcessTests : IDisposable
{
    private const string Device = "kiosk-k";
    private readonly TempDirectory _data = new("fleet-agent");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Agent_KilledMidStream_ResendsOnlyWhatLackedPuback()
    {
        const int Count = 5000;
        const int MaxInFlight = 64;
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await MqttProbe.ConnectAsync(broker.Port, "office", cleanStart: false, subscribe: Topics.Decisions(Device));
        using (var store = LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _data.Path }, NullLogger.Instance))
        {
            await Task.WhenAll(Enumerable.Range(0, Count).Select(i => store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None)));
        }

        var args = Args(broker, $"--Mqtt:MaxInFlight={MaxInFlight}", "--Mqtt:PublishBatchSize=256");
        await using (var first = AgentProcess.Start(null, args))
        {
            await office.WaitForAsync(m => m.Count >= Count / 4, TimeSpan.FromSeconds(60), "a quarter of the outbox");
            await first.KillHardAsync();
        }

        var beforeRestart = office.Messages.Count;
        Assert.True(beforeRestart < Count, "the kill must land mid-stream");

        await using var second = AgentProcess.Start(null, args);
        await office.WaitForAsync(m => Unique(m).Count == Count, TimeSpan.FromSeconds(90), $"all {Count} decisions");
        await Task.Delay(1000); // anything still to come would be a duplicate

        var duplicates = office.Messages.Count - Count;
        Assert.InRange(duplicates, 0, MaxInFlight);
    }

    [Fact]
    public async Task Agent_KilledHard_BrokerPublishesRetainedOfflineWill()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await MqttProbe.ConnectAsync(broker.Port, "office", subscribe: Topics.Status(Device));
        await using var agent = AgentProcess.Start(null, Args(broker));
        await office.WaitForAsync(m => m.Any(x => State(x.Payload) == "online"), TimeSpan.FromSeconds(60), "online birth");

        await agent.KillHardAsync();

        await office.WaitForAsync(m => m.Any(x => State(x.Payload) == "offline"), TimeSpan.FromSeconds(30), "the Last Will");
        await using var late = await MqttProbe.ConnectAsync(broker.Port, "late", subscribe: Topics.Status(Device));
        await late.WaitForAsync(m => m.Any(x => x.Retained && State(x.Payload) == "offline"), TimeSpan.FromSeconds(10), "retained offline");
    }

    private string[] Args(MosquittoBroker broker, params string[] extra) =>
    [
        $"--DataDirectory={_data.Path}",
        $"--Api:Urls=http://127.0.0.1:{LoopbackPort.Free()}",
        $"--DeviceId={Device}",
        $"--Mqtt:Broker={broker.Url}",
        "--Mqtt:ReconnectMinDelay=00:00:00.200",
        "--Mqtt:OutboxPollInterval=00:00:00.200",
        "--Logging:LogLevel:Default=Warning",
        .. extra,
    ];

    private static string? State(string payload) => JsonDocument.Parse(payload).RootElement.GetProperty("state").GetString();

    private static HashSet<string> Unique(IEnumerable<(string Topic, string Payload, bool Retained)> messages) =>
        messages.Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("decisionId").GetString()!).ToHashSet();
}
