using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Packages.Rollout;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.Messaging;
using CreditEdge.Messaging.Rollout;
using CreditEdge.TestKit;
using MQTTnet;
using MQTTnet.Protocol;

namespace CreditEdge.Agent.Tests.Rollout;

/// <summary>
/// An operator and a fleet for rollout tests: a real Mosquitto, a signing key the devices trust, signed packages made from
/// the default one, pushes exactly as <c>cedge fleet push</c> makes them (or spoiled on purpose), and every model event
/// the devices publish.
/// </summary>
public sealed class OtaRig : IAsyncDisposable
{
    public const string Group = "ota";

    private const string EventsFilter = "creditedge/devices/+/model/events";

    private readonly MqttProbe _operator;
    private readonly ConcurrentQueue<ModelEvent> _events = new();

    private OtaRig(MosquittoBroker broker, TempDirectory root, ECDsa key, MqttProbe operatorClient)
    {
        Broker = broker;
        Root = root;
        Key = key;
        _operator = operatorClient;
        TrustFile = root.Combine("operator.pem");
        File.WriteAllText(TrustFile, Key.ExportSubjectPublicKeyInfoPem());
        Installed = MakePackage("installed", "1.1.0", 3);
    }

    public MosquittoBroker Broker { get; }

    public TempDirectory Root { get; }

    public ECDsa Key { get; }

    public string TrustFile { get; }

    /// <summary>The package every device starts with: the default one, signed by <see cref="Key"/>.</summary>
    public string Installed { get; }

    public IReadOnlyCollection<ModelEvent> Events => _events;

    public static async Task<OtaRig> StartAsync(MosquittoBroker? broker = null)
    {
        broker ??= await MosquittoBroker.StartNewAsync();
        var root = new TempDirectory("ota");
        var key = SigningKeys.Generate();
        var probe = await MqttProbe.ConnectAsync(broker.Port, $"operator-{Guid.NewGuid():N}", subscribe: EventsFilter);
        var rig = new OtaRig(broker, root, key, probe);
        probe.Client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic.EndsWith("/model/events", StringComparison.Ordinal))
            {
                rig._events.Enqueue(JsonSerializer.Deserialize(e.ApplicationMessage.Payload.ToArray(), MessagingJson.Wire.ModelEvent)!);
            }

            return Task.CompletedTask;
        };
        return rig;
    }

    /// <summary>The arguments that make an agent a device of this fleet: broker, group, trust, the signed installed package.</summary>
    public string[] AgentArgs(string dataDirectory, string deviceId, params string[] extra)
    {
        var trust = Path.Combine(dataDirectory, "trust");
        Directory.CreateDirectory(trust);
        File.Copy(TrustFile, Path.Combine(trust, "operator.pem"), overwrite: true);
        return
        [
            $"--DeviceId={deviceId}",
            $"--Mqtt:Broker={Broker.Url}",
            $"--Mqtt:Group={Group}",
            $"--ModelDirectory={Installed}",
            "--Mqtt:ReconnectMinDelay=00:00:00.200",
            "--Mqtt:ReconnectMaxDelay=00:00:01",
            "--Transfer:ChunkTimeout=00:00:02",
            "--Transfer:MaxChunkAttempts=2",
            "--Rollout:CheckInterval=00:00:00.100",
            .. extra,
        ];
    }

    /// <summary>A signed copy of the default package as <paramref name="version"/>, changed by <paramref name="change"/> before signing.</summary>
    public string MakePackage(string name, string version, long sequence, Action<string>? change = null)
    {
        var directory = PackageForge.CopyDefault(Root.Combine("packages", name));
        PackageForge.EditManifest(directory, m =>
        {
            m["version"] = version;
            m["sequence"] = sequence;
        });
        change?.Invoke(directory);
        PackageSigner.Sign(directory, Key);
        return directory;
    }

    /// <summary>
    /// Pushes <paramref name="packageDirectory"/> as <c>cedge fleet push</c> does: every chunk of its archive retained, then
    /// the signed desired model retained on the group's (or <paramref name="device"/>'s) topic. <paramref name="archive"/>
    /// may replace the archive's bytes (a package changed after signing, a hostile tar); <paramref name="chunkBytes"/> may
    /// spoil what is published for a chunk; <paramref name="sign"/> may sign with another key or spoil the message.
    /// </summary>
    public async Task<PushedModel> PushAsync(
        string packageDirectory,
        long sequence,
        string? device = null,
        ShadowCriteria? shadow = null,
        ProbationCriteria? probation = null,
        bool allowSchemaChange = false,
        Func<byte[], byte[]>? archive = null,
        Func<int, byte[], byte[]?>? chunkBytes = null,
        Func<DesiredModel, byte[]>? sign = null,
        int chunkSize = 16384)
    {
        using var buffer = new MemoryStream();
        PackageArchive.Create(packageDirectory, buffer);
        var bytes = archive?.Invoke(buffer.ToArray()) ?? buffer.ToArray();
        using var stream = new MemoryStream(bytes);
        var chunks = PackageChunks.Compute(stream, chunkSize);
        var manifest = ModelPackage.ReadManifest(Path.Combine(packageDirectory, ModelPackage.ManifestFile));
        var target = device is null ? DesiredTarget.ForGroup(Group) : DesiredTarget.ForDevice(device);
        var desired = new DesiredModel(target, sequence, DateTimeOffset.UtcNow, DesiredPackage.From(manifest, chunks), allowSchemaChange, shadow, probation);
        for (var i = 0; i < chunks.ChunkHashes.Count; i++)
        {
            var chunk = bytes.AsSpan(i * chunkSize, PackageChunks.LengthOf(bytes.Length, chunkSize, i)).ToArray();
            var published = chunkBytes is null ? chunk : chunkBytes(i, chunk);
            if (published is not null)
            {
                await PublishAsync(Topics.PackageChunk(chunks.Sha256, i), published);
            }
        }

        var message = sign?.Invoke(desired) ?? DesiredModelSigner.Sign(desired, Key);
        await PublishAsync(device is null ? Topics.GroupDesired(Group) : Topics.DeviceDesired(device), message);
        return new PushedModel(desired, message);
    }

    /// <summary>Reconnects the operator's client (after a broker restart); events published meanwhile are lost to it.</summary>
    public async Task ReconnectAsync()
    {
        await _operator.ReconnectAsync();
        await _operator.Client.SubscribeAsync(EventsFilter, MqttQualityOfServiceLevel.AtLeastOnce);
    }

    /// <summary>Publishes <paramref name="payload"/> retained at QoS 1 and checks the broker took it.</summary>
    public async Task PublishAsync(string topic, byte[] payload)
    {
        var result = await _operator.Client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic).WithPayload(payload).WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(result.IsSuccess, $"publish to {topic}: {result.ReasonCode}");
    }

    /// <summary>Waits for the first event of <paramref name="deviceId"/> about <paramref name="sequence"/> that matches.</summary>
    public async Task<ModelEvent> WaitForEventAsync(string deviceId, long sequence, Func<ModelEvent, bool> match, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            var found = _events.FirstOrDefault(e => e.DeviceId == deviceId && e.Sequence == sequence && match(e));
            if (found is not null)
            {
                return found;
            }

            await Task.Delay(50);
        }

        var seen = string.Join("\n", _events.Where(e => e.DeviceId == deviceId).Select(e => $"{e.Sequence} {e.Event} {e.Check} {e.Detail}"));
        throw new TimeoutException($"no {what} event for {deviceId} sequence {sequence}; seen:\n{seen}");
    }

    /// <summary>Waits until the device's update <paramref name="sequence"/> ended (active, rejected or rolled back) and returns that event.</summary>
    public Task<ModelEvent> WaitForOutcomeAsync(string deviceId, long sequence, TimeSpan? timeout = null) =>
        WaitForEventAsync(deviceId, sequence, e => e.Event is ModelEvents.Active or ModelEvents.Rejected or ModelEvents.RolledBack, "outcome", timeout);

    public async ValueTask DisposeAsync()
    {
        await _operator.DisposeAsync();
        await Broker.DisposeAsync();
        Key.Dispose();
        Root.Dispose();
    }
}

/// <summary>What a push published: the desired model and the exact bytes of its message.</summary>
public sealed record PushedModel(DesiredModel Desired, byte[] Message);
