using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace CreditEdge.TestKit;

/// <summary>A plain MQTTnet client that plays the central office in tests: subscribes, collects, publishes.</summary>
public sealed class MqttProbe : IAsyncDisposable
{
    private readonly IMqttClient _client;

    private MqttProbe(IMqttClient client) => _client = client;

    public ConcurrentQueue<(string Topic, string Payload, bool Retained)> Messages { get; } = new();

    public IMqttClient Client => _client;

    public static Task<MqttProbe> ConnectAsync(int port, string clientId, bool cleanStart = true, string? username = null, string? password = null, params string[] subscribe)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart(cleanStart)
            .WithSessionExpiryInterval(cleanStart ? 0u : 3600u);
        if (username is not null)
        {
            options.WithCredentials(username, password);
        }

        return ConnectAsync(options.Build(), subscribe);
    }

    /// <summary>
    /// Connects over TLS with <paramref name="identity"/>'s certificate (none when null), trusting only the CA in
    /// <paramref name="caFile"/>: a clean session under <paramref name="clientId"/>.
    /// </summary>
    public static Task<MqttProbe> ConnectTlsAsync(int port, string clientId, CertificateFiles? identity, string caFile, params string[] subscribe)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart(true)
            .WithTlsOptions(o =>
            {
                o.UseTls();
                if (identity is not null)
                {
                    o.WithClientCertificates([X509Certificate2.CreateFromPemFile(identity.CertificateFile, identity.KeyFile)]);
                }

                o.WithTrustChain([X509CertificateLoader.LoadCertificateFromFile(caFile)]);
            });
        return ConnectAsync(options.Build(), subscribe);
    }

    /// <summary>Connects with <paramref name="options"/> built elsewhere (e.g. by the agent's own option builder) and subscribes.</summary>
    public static async Task<MqttProbe> ConnectAsync(MqttClientOptions options, params string[] subscribe)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var probe = new MqttProbe(client);
        client.ApplicationMessageReceivedAsync += e =>
        {
            probe.Messages.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString() ?? string.Empty, e.ApplicationMessage.Retain));
            return Task.CompletedTask;
        };
        MqttClientConnectResult connected;
        try
        {
            connected = await client.ConnectAsync(options);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        if (connected.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"broker refused {options.ClientId}: {connected.ResultCode}");
        }

        if (subscribe.Length > 0)
        {
            var builder = new MqttClientSubscribeOptionsBuilder();
            foreach (var filter in subscribe)
            {
                builder.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
            }

            await client.SubscribeAsync(builder.Build());
        }

        return probe;
    }

    public Task<MqttClientPublishResult> PublishAsync(string topic, string payload, bool retain = false, string? responseTopic = null, byte[]? correlation = null)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain);
        if (responseTopic is not null)
        {
            message.WithResponseTopic(responseTopic);
        }

        if (correlation is not null)
        {
            message.WithCorrelationData(correlation);
        }

        return _client.PublishAsync(message.Build());
    }

    /// <summary>Connects again with the same options (a persistent session gets what was queued meanwhile).</summary>
    public async Task ReconnectAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                await _client.ConnectAsync(_client.Options);
                return;
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch (InvalidOperationException) when (_client.IsConnected && DateTime.UtcNow < deadline)
            {
                // the client has not yet seen its connection to the stopped broker close (seen in CI when the broker
                // was restarted within a few milliseconds): wait for it to notice, then connect
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds over the collected messages, or throws after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(Func<IReadOnlyCollection<(string Topic, string Payload, bool Retained)>, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Messages.ToArray()))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds} s for {what}; have {Messages.Count} messages");
            }

            await Task.Delay(25);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
