using MQTTnet;
using MQTTnet.Protocol;

namespace CreditEdge.Messaging.Central;

/// <summary>An MQTT 5 connection for the office's side (ingest, fleet status): a persistent session when it has a fixed client id.</summary>
internal static class CentralClient
{
    public static async Task<IMqttClient> ConnectAsync(Uri broker, string clientId, bool persistent, string? username, string? password,
        Func<MqttApplicationMessageReceivedEventArgs, Task> onMessage, IEnumerable<string> filters, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += onMessage;
        var tls = broker.Scheme == "mqtts";
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.IsDefaultPort || broker.Port <= 0 ? (tls ? 8883 : 1883) : broker.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart(!persistent)
            .WithSessionExpiryInterval(persistent ? (uint)TimeSpan.FromDays(30).TotalSeconds : 0u);
        if (tls)
        {
            options.WithTlsOptions(o => o.UseTls());
        }

        if (username is not null)
        {
            options.WithCredentials(username, password ?? string.Empty);
        }

        var result = await client.ConnectAsync(options.Build(), cancellationToken);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new FleetConnectException($"broker {broker} refused {clientId}: {result.ResultCode} {result.ReasonString}");
        }

        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in filters)
        {
            subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await client.SubscribeAsync(subscribe.Build(), cancellationToken);
        return client;
    }
}
