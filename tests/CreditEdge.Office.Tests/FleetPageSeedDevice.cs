using System.Text.Json;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Drift;
using CreditEdge.Core.Policy;
using CreditEdge.Messaging;
using CreditEdge.Messaging.Rollout;
using CreditEdge.TestKit;
using MQTTnet;
using MQTTnet.Protocol;

namespace CreditEdge.Office.Tests;

/// <summary>
/// One device for the fleet page's tests: its own MQTT 5 client (client id = device id) publishing exactly what it is
/// told, on the agent's topics with the agent's payload types, so the tests know every expected count.
/// </summary>
public sealed class FleetPageSeedDevice : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private int _decisions;

    private FleetPageSeedDevice(string deviceId) => DeviceId = deviceId;

    public string DeviceId { get; }

    public static async Task<FleetPageSeedDevice> ConnectAsync(string brokerUrl, string deviceId)
    {
        var device = new FleetPageSeedDevice(deviceId);
        var uri = new Uri(brokerUrl);
        await device._client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer(uri.Host, uri.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(deviceId)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(600)
            .Build());
        return device;
    }

    public Task StatusAsync(string state, string modelVersion, DateTimeOffset at, string? locked = null, RolloutStatus? rollout = null) =>
        PublishAsync(Topics.Status(DeviceId), JsonSerializer.SerializeToUtf8Bytes(
            new DeviceStatus(state, DeviceId, "0.9.1", "taiwan-credit", modelVersion, "fp32", 120, at) { Locked = locked, Rollout = rollout },
            MessagingJson.Wire.DeviceStatus), retain: true);

    public Task TelemetryAsync(DateTimeOffset at, IReadOnlyDictionary<string, double> featurePsi) =>
        PublishAsync(Topics.Telemetry(DeviceId), JsonSerializer.SerializeToUtf8Bytes(new TelemetryReport
        {
            DeviceId = DeviceId,
            At = at,
            ModelId = "taiwan-credit",
            ModelVersion = "1.1.1",
            Variant = "fp32",
            Decisions = new Dictionary<string, long> { ["approve"] = 0, ["refer"] = 0, ["decline"] = 0 },
            LatencyBuckets = new Dictionary<string, long> { ["+Inf"] = 0 },
            OutboxDepth = 0,
            StorageBytes = 4096,
            ProcessWorkingSetBytes = 1 << 27,
            Drift = new DriftSnapshot(50, 0.02, featurePsi),
        }, MessagingJson.Wire.TelemetryReport), retain: true);

    /// <summary>Publishes one decision with <paramref name="outcome"/>, made <paramref name="at"/>; returns its id.</summary>
    public async Task<string> DecisionAsync(Outcome outcome, DateTimeOffset at)
    {
        var n = Interlocked.Increment(ref _decisions);
        var decision = SampleDecisions.Create(n, at: at) with
        {
            DecisionId = Guid.CreateVersion7(at).ToString("N"),
            Outcome = outcome,
        };
        await PublishAsync(Topics.Decisions(DeviceId), JsonSerializer.SerializeToUtf8Bytes(decision, DecisionJson.Default.Decision), retain: false);
        return decision.DecisionId;
    }

    public Task ModelEventAsync(string step, long sequence, string version, DateTimeOffset at, string? check = null) =>
        PublishAsync(Topics.ModelEvents(DeviceId), JsonSerializer.SerializeToUtf8Bytes(
            new ModelEvent(step, DeviceId, sequence, "taiwan-credit", version, new string('c', 64), at) { Check = check },
            MessagingJson.Wire.ModelEvent), retain: false);

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }

    private async Task PublishAsync(string topic, byte[] payload, bool retain)
    {
        var result = await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build());
        Assert.True(result.IsSuccess, $"{topic}: {result.ReasonCode}");
    }
}
