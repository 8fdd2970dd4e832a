using System.Text;
using System.Text.Json;
using CreditEdge.Core.Decisions;
using CreditEdge.TestKit;
using MQTTnet;
using MQTTnet.Protocol;

namespace CreditEdge.Office.Tests;

/// <summary>
/// A device as the office sees it: its own MQTT 5 persistent session, publishing at QoS 1 and re-sending a message until
/// the broker acknowledges it (as the device's outbox does: a broker restart turns into re-sends, i.e. duplicates).
/// A PUBACK saying "no matching subscribers" (reason 16) is not a delivery either: Mosquitto 2.0 does not restore shared
/// subscriptions from its persistence file, so right after a broker restart, until the office's workers have subscribed
/// again, a decision has nobody to go to and the broker drops it (README "The office service", broker restarts).
/// </summary>
public sealed class DevicePublisher : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly string _brokerUrl;
    private readonly string? _username;
    private readonly string? _password;

    public DevicePublisher(string brokerUrl, string deviceId, string? username = null, string? password = null)
    {
        _brokerUrl = brokerUrl;
        DeviceId = deviceId;
        _username = username;
        _password = password;
    }

    public string DeviceId { get; }

    /// <summary>Publishes that had to be sent again (the broker was away).</summary>
    public int Resends { get; private set; }

    public static byte[] DecisionJsonOf(Decision decision) => JsonSerializer.SerializeToUtf8Bytes(decision, DecisionJson.Default.Decision);

    /// <summary>Decisions of this device, n from <paramref name="first"/>, created in November 2026 and, every fifth, in October (two partitions).</summary>
    public IReadOnlyList<Decision> MakeDecisions(int first, int count) =>
        Enumerable.Range(first, count).Select(n => SampleDecisions.Create(n, at: new DateTimeOffset(2026, n % 5 == 0 ? 10 : 11, 1 + (n % 28), 8, 0, 0, TimeSpan.Zero).AddSeconds(n))
            with { DecisionId = $"{DeviceId}-{n:D6}" }).ToList();

    public Task PublishDecisionAsync(Decision decision, CancellationToken cancellationToken) =>
        PublishAsync($"creditedge/devices/{DeviceId}/decisions", DecisionJsonOf(decision), cancellationToken);

    public Task PublishRawAsync(string kind, string payload, CancellationToken cancellationToken) =>
        PublishAsync($"creditedge/devices/{DeviceId}/{kind}", Encoding.UTF8.GetBytes(payload), cancellationToken);

    /// <summary>Publishes at QoS 1 until PUBACK, reconnecting (same session) as often as it takes.</summary>
    public async Task PublishAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        var attempt = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (!_client.IsConnected)
                {
                    var uri = new Uri(_brokerUrl);
                    var options = new MqttClientOptionsBuilder()
                        .WithTcpServer(uri.Host, uri.Port)
                        .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                        .WithClientId($"device-{DeviceId}")
                        .WithCleanStart(false)
                        .WithSessionExpiryInterval(3600)
                        .WithTimeout(TimeSpan.FromSeconds(3));
                    if (_username is not null)
                    {
                        options.WithCredentials(_username, _password);
                    }

                    await _client.ConnectAsync(options.Build(), cancellationToken);
                }

                if (attempt > 0)
                {
                    Resends++;
                }

                attempt++;
                var result = await _client.PublishAsync(message, cancellationToken);
                if (result.ReasonCode == MqttClientPublishReasonCode.Success)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // the broker is away: try again, as the outbox does
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // gone already
            }
        }

        _client.Dispose();
    }
}
