using System.Text.Json;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Drift;
using CreditEdge.Core.Policy;
using CreditEdge.Messaging;
using CreditEdge.Messaging.Rollout;
using MQTTnet;
using MQTTnet.Protocol;

namespace CreditEdge.Office.Simulation;

/// <summary>
/// One simulated kiosk: its own MQTT 5 client (client id = device id, clean start off, a session), a retained
/// <c>online</c> status on connect with a retained <c>offline</c> Last Will, decisions at QoS 1, retained telemetry with
/// drift, and model events — the topics and payloads of README "Fleet sync (MQTT 5)".
/// </summary>
public sealed class SimulatedDevice : IDisposable
{
    public const string AgentVersion = "sim";

    private static readonly string[] Buckets = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "+Inf"];

    private readonly IMqttClient _client;
    private readonly DecisionFactory _decisions;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, long> _outcomes = Enum.GetValues<Outcome>().ToDictionary(o => o.ToString().ToLowerInvariant(), _ => 0L);
    private readonly DateTimeOffset _started;
    private readonly double _driftLevel;
    private long _sinceTelemetry;
    private ModelRef _model;
    private RolloutStatus? _rollout;

    public SimulatedDevice(string deviceId, DecisionFactory decisions, TimeProvider time, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        DeviceId = deviceId;
        _decisions = decisions;
        _time = time;
        Random = new Random(random.Next());
        _started = time.GetUtcNow();
        // one device in ten drifts past the 0.1 warning line on some features, one in twenty-five past 0.25
        _driftLevel = Random.NextDouble() switch { < 0.04 => 0.3, < 0.10 => 0.15, _ => 0.03 };
        _model = decisions.Model;
        _client = new MqttClientFactory().CreateMqttClient();
    }

    public string DeviceId { get; }

    /// <summary>This device's own random source (its applicants, its drift); use from one thread at a time.</summary>
    public Random Random { get; }

    public bool IsConnected => _client.IsConnected;

    public async Task ConnectAsync(SimulationOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connectedAt = _time.GetUtcNow(); // the Will, the "online" and the clean "offline" of this connection carry it, as the agent's do
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Broker.Host, options.Broker.IsDefaultPort || options.Broker.Port <= 0 ? 1883 : options.Broker.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(DeviceId)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)options.SessionExpiry.TotalSeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .WithTimeout(TimeSpan.FromSeconds(30))
            .WithWillTopic(Topics.Status(DeviceId))
            .WithWillPayload(Serialize(Status("offline")))
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (options.Username is { Length: > 0 } user)
        {
            builder.WithCredentials(user, options.Password ?? string.Empty);
        }

        await _client.ConnectAsync(MqttSocketBuffers.Apply(builder.Build()), cancellationToken);
        await PublishAsync(Topics.Status(DeviceId), Serialize(Status("online")), retain: true, cancellationToken);
    }

    /// <summary>Makes one decision and publishes it (QoS 1); completes on the broker's PUBACK with the decision's id.</summary>
    public async Task<string> DecideAsync(CancellationToken cancellationToken)
    {
        Decision decision;
        lock (_outcomes)
        {
            decision = _decisions.Create(Random, _time.GetUtcNow(), _model);
            _outcomes[decision.Outcome.ToString().ToLowerInvariant()]++;
            _sinceTelemetry++;
        }

        await PublishAsync(Topics.Decisions(DeviceId), JsonSerializer.SerializeToUtf8Bytes(decision, DecisionJson.Default.Decision), retain: false, cancellationToken);
        return decision.DecisionId;
    }

    /// <summary>Retained telemetry: cumulative outcome counts and latencies, and PSI drift of the score and every feature.</summary>
    public Task PublishTelemetryAsync(CancellationToken cancellationToken)
    {
        TelemetryReport report;
        lock (_outcomes)
        {
            var decided = _outcomes.Values.Sum();
            report = new TelemetryReport
            {
                DeviceId = DeviceId,
                At = _time.GetUtcNow(),
                ModelId = _model.Id,
                ModelVersion = _model.Version,
                Variant = _model.Variant,
                Decisions = new Dictionary<string, long>(_outcomes),
                LatencyBuckets = Buckets.Select((b, i) => (b, n: (long)(decided * Math.Min(1.0, 0.55 + (0.1 * i))))).ToDictionary(x => x.b, x => x.n),
                OutboxDepth = 0,
                StorageBytes = 1_000_000 + (decided * 972),
                ProcessWorkingSetBytes = 180L << 20,
                Drift = new DriftSnapshot(_sinceTelemetry, Psi(), _decisions.FeatureNames.ToDictionary(f => f, _ => Psi())),
            };
            _sinceTelemetry = 0;
        }

        return PublishAsync(Topics.Telemetry(DeviceId), JsonSerializer.SerializeToUtf8Bytes(report, MessagingJson.Wire.TelemetryReport), retain: true, cancellationToken);
    }

    /// <summary>
    /// A model update's lifecycle, one QoS 1 event per step: received … active (or … <paramref name="refusal"/>:
    /// rejected with that check), then the retained status naming the model that runs and the rollout's state.
    /// </summary>
    public async Task PublishModelUpdateAsync(string version, long sequence, CancellationToken cancellationToken, string? refusal = null)
    {
        string[] steps = refusal is null
            ? [ModelEvents.Received, ModelEvents.Downloading, ModelEvents.Downloaded, ModelEvents.Verified, ModelEvents.Validated, ModelEvents.Active]
            : [ModelEvents.Received, ModelEvents.Downloading, ModelEvents.Downloaded, ModelEvents.Verified, ModelEvents.Rejected];
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(version)));
        foreach (var step in steps)
        {
            var modelEvent = new ModelEvent(step, DeviceId, sequence, _model.Id, version, sha, _time.GetUtcNow())
            {
                Progress = step == ModelEvents.Downloading ? 100 : null,
                Check = step == ModelEvents.Rejected ? refusal : null,
            };
            await PublishAsync(Topics.ModelEvents(DeviceId), JsonSerializer.SerializeToUtf8Bytes(modelEvent, MessagingJson.Wire.ModelEvent), retain: false, cancellationToken);
        }

        var now = _time.GetUtcNow();
        lock (_outcomes)
        {
            if (refusal is null)
            {
                _model = _model with { Version = version };
            }

            _rollout = new RolloutStatus(refusal is null ? ModelEvents.Active : ModelEvents.Rejected, sequence, _model.Id, version, now) { Check = refusal };
        }

        await PublishAsync(Topics.Status(DeviceId), Serialize(Status("online")), retain: true, cancellationToken);
    }

    /// <summary>A clean stop says <c>offline</c> itself; <paramref name="vanish"/> disconnects so that the broker publishes the Will instead.</summary>
    public async Task StopAsync(bool vanish, CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            return;
        }

        if (!vanish)
        {
            await PublishAsync(Topics.Status(DeviceId), Serialize(Status("offline")), retain: true, cancellationToken);
        }

        await _client.DisconnectAsync(
            new MqttClientDisconnectOptionsBuilder()
                .WithReason(vanish ? MqttClientDisconnectOptionsReason.DisconnectWithWillMessage : MqttClientDisconnectOptionsReason.NormalDisconnection)
                .Build(),
            cancellationToken);
    }

    public void Dispose() => _client.Dispose();

    private double Psi()
    {
        var psi = _driftLevel * (0.5 + Random.NextDouble());
        return Math.Round(psi, 4);
    }

    private DateTimeOffset _connectedAt;

    private DeviceStatus Status(string state)
    {
        lock (_outcomes)
        {
            var now = _time.GetUtcNow();
            return new(state, DeviceId, AgentVersion, _model.Id, _model.Version, _model.Variant, (now - _started).TotalSeconds, now) { Rollout = _rollout, ConnectedAt = _connectedAt };
        }
    }

    private static byte[] Serialize(DeviceStatus status) => JsonSerializer.SerializeToUtf8Bytes(status, MessagingJson.Wire.DeviceStatus);

    private async Task PublishAsync(string topic, byte[] payload, bool retain, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .WithContentType("application/json")
            .Build();
        var result = await _client.PublishAsync(message, cancellationToken);
        if (!result.IsSuccess)
        {
            throw new FleetPublishException(topic, result.ReasonCode.ToString(), result.ReasonString);
        }
    }
}
