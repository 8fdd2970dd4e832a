using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Protocol;

namespace CreditEdge.Messaging;

/// <summary>The MQTTnet options of one connect attempt: MQTT 5, fixed client id, clean start off, session expiry, TLS, credentials, Will, socket buffers (<see cref="MqttSocketBuffers"/>).</summary>
internal static class LinkClientOptions
{
    public static MqttClientOptions Build(FleetLinkOptions options, string clientId, LinkWill? will)
    {
        var uri = options.BrokerUri();
        var tls = uri.Scheme == "mqtts";
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? (tls ? 8883 : 1883) : uri.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)options.SessionExpiry.TotalSeconds)
            .WithKeepAlivePeriod(options.KeepAlive)
            .WithTimeout(options.ConnectTimeout);
        if (will is not null)
        {
            builder.WithWillTopic(will.Topic)
                .WithWillPayload(will.Payload.ToArray())
                .WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        }

        if (options.Username is { Length: > 0 } user)
        {
            builder.WithCredentials(user, options.Password ?? string.Empty);
        }

        if (tls)
        {
            builder.WithTlsOptions(o =>
            {
                o.UseTls();
                if (options.ClientCertificateFile is { } cert)
                {
                    o.WithClientCertificates([X509Certificate2.CreateFromPemFile(cert, options.ClientKeyFile)]);
                }

                if (options.CaFile is { } ca)
                {
                    var authority = X509CertificateLoader.LoadCertificateFromFile(ca);
                    o.WithTrustChain([authority]);
                }
            });
        }

        return MqttSocketBuffers.Apply(builder.Build());
    }
}
