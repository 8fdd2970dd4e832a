using CreditEdge.TestKit;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace CreditEdge.Messaging.Tests;

/// <summary>
/// The shipped device listener (TLS, client certificate required, CN = user name) and the shipped ACL, enforced by a
/// real Mosquitto; the clients connect with the agent's own option builder (<see cref="LinkClientOptions"/>) and
/// certificates from a throwaway CA made in code.
/// </summary>
public sealed class TlsTransportTests : IDisposable
{
    private readonly TestCertificateAuthority _pki = TestCertificateAuthority.Create();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task Tls_DevicePublishesIntoAnotherDevicesDecisions_NotAuthorizedAndNotDelivered()
    {
        await using var broker = await MosquittoBroker.StartShippedTlsAsync(_pki);
        await using var office = await ConnectAsync(broker, _pki.IssueClient("office"), subscribe: [Topics.Decisions("kiosk-a"), Topics.Decisions("kiosk-b")]);
        await using var kioskA = await ConnectAsync(broker, _pki.IssueClient("kiosk-a"));

        var forged = await kioskA.PublishAsync(Topics.Decisions("kiosk-b"), "{\"decisionId\":\"forged\"}");
        var own = await kioskA.PublishAsync(Topics.Decisions("kiosk-a"), "{\"decisionId\":\"real\"}");

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, own.ReasonCode);
        await office.WaitForAsync(m => m.Any(x => x.Topic == Topics.Decisions("kiosk-a") && x.Payload.Contains("real", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(5), "kiosk-a's own decision at the office (CN office)");
        await Task.Delay(300);
        Assert.DoesNotContain(office.Messages, m => m.Topic == Topics.Decisions("kiosk-b"));
    }

    [Fact]
    public async Task Tls_DeviceSubscribesToAnotherDevicesCommands_NothingReceived()
    {
        await using var broker = await MosquittoBroker.StartShippedTlsAsync(_pki);
        await using var kioskA = await ConnectAsync(broker, _pki.IssueClient("kiosk-a"));
        await using var kioskB = await ConnectAsync(broker, _pki.IssueClient("kiosk-b"), subscribe: [Topics.Commands("kiosk-b")]);
        await using var operatorProbe = await ConnectAsync(broker, _pki.IssueClient("operator"));

        var subscribed = await kioskA.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.Commands("kiosk-b"), MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var command = await operatorProbe.PublishAsync(Topics.Command("kiosk-b", "status"), "{}");

        // Mosquitto 2.0.11 grants the SUBACK for a filter the ACL does not let the client read and enforces it at delivery
        Assert.Single(subscribed.Items);
        Assert.Equal(MqttClientPublishReasonCode.Success, command.ReasonCode); // the operator (CN operator) may command any device
        await kioskB.WaitForAsync(m => m.Any(x => x.Topic == Topics.Command("kiosk-b", "status")), TimeSpan.FromSeconds(5), "the command at kiosk-b");
        await Task.Delay(300);
        Assert.Empty(kioskA.Messages); // kiosk-b's commands reach kiosk-b, never kiosk-a
    }

    [Fact]
    public async Task Tls_DevicePublishesDesiredModel_NotAuthorizedAndNotDelivered()
    {
        string[] desired = [Topics.GroupDesired("default"), Topics.DeviceDesired("kiosk-a")];
        await using var broker = await MosquittoBroker.StartShippedTlsAsync(_pki);
        await using var kioskA = await ConnectAsync(broker, _pki.IssueClient("kiosk-a"), subscribe: desired);
        await using var operatorProbe = await ConnectAsync(broker, _pki.IssueClient("operator"));

        foreach (var topic in desired)
        {
            var forged = await kioskA.PublishAsync(topic, "{\"from\":\"device\"}", retain: true);
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
            Assert.Equal(MqttClientPublishReasonCode.Success, (await operatorProbe.PublishAsync(topic, "{\"from\":\"operator\"}", retain: true)).ReasonCode);
        }

        // the device reads its desired models (so it would have seen its own forgeries had they been let through)
        await kioskA.WaitForAsync(m => m.Count(x => x.Payload.Contains("operator", StringComparison.Ordinal)) == 2, TimeSpan.FromSeconds(5), "both operator's desired models");
        await Task.Delay(300);
        Assert.DoesNotContain(kioskA.Messages, m => m.Payload.Contains("device", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tls_ClientCertificateFromAnotherCa_RefusedAtHandshake()
    {
        using var otherPki = TestCertificateAuthority.Create("other");
        await using var broker = await MosquittoBroker.StartShippedTlsAsync(_pki);

        var ex = await Assert.ThrowsAnyAsync<MqttCommunicationException>(() => ConnectAsync(broker, otherPki.IssueClient("kiosk-a")));

        AssertRefusedByTransport(ex);
        await using var genuine = await ConnectAsync(broker, _pki.IssueClient("kiosk-a")); // the same CN from the broker's CA gets in
        Assert.True(genuine.Client.IsConnected);
    }

    [Fact]
    public async Task Tls_NoClientCertificate_Refused()
    {
        await using var broker = await MosquittoBroker.StartShippedTlsAsync(_pki);
        var options = LinkClientOptions.Build(new FleetLinkOptions { Broker = broker.Url, CaFile = _pki.CaFile }, "kiosk-a", will: null);

        var ex = await Assert.ThrowsAnyAsync<MqttCommunicationException>(() => MqttProbe.ConnectAsync(options));

        AssertRefusedByTransport(ex);
        await using var withCertificate = await ConnectAsync(broker, _pki.IssueClient("kiosk-a")); // the same client with its certificate gets in
        Assert.True(withCertificate.Client.IsConnected);
    }

    [Fact]
    public async Task Tls_CertificateCommonName_IsTheIdentityNotClientIdOrUsername()
    {
        await using var broker = await MosquittoBroker.StartShippedTlsAsync(_pki);
        await using var office = await ConnectAsync(broker, _pki.IssueClient("office"), subscribe: [Topics.Decisions("kiosk-a"), Topics.Decisions("kiosk-b")]);
        // CN kiosk-b, but client id and user name claim kiosk-a: use_identity_as_username makes the CN the ACL's %u
        await using var claimsA = await ConnectAsync(broker, _pki.IssueClient("kiosk-b"), clientId: "kiosk-a", username: "kiosk-a");

        var asB = await claimsA.PublishAsync(Topics.Decisions("kiosk-b"), "{\"decisionId\":\"by-b\"}");
        var asA = await claimsA.PublishAsync(Topics.Decisions("kiosk-a"), "{\"decisionId\":\"claimed-a\"}");

        Assert.Equal(MqttClientPublishReasonCode.Success, asB.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, asA.ReasonCode);
        await office.WaitForAsync(m => m.Any(x => x.Topic == Topics.Decisions("kiosk-b")), TimeSpan.FromSeconds(5), "kiosk-b's decision");
        await Task.Delay(300);
        Assert.DoesNotContain(office.Messages, m => m.Topic == Topics.Decisions("kiosk-a"));
    }

    /// <summary>A client built by the agent's own <see cref="LinkClientOptions"/> for <c>mqtts://</c> with <paramref name="identity"/>'s files.</summary>
    private Task<MqttProbe> ConnectAsync(MosquittoBroker broker, CertificateFiles identity, string? clientId = null, string? username = null, string[]? subscribe = null)
    {
        var options = new FleetLinkOptions
        {
            Broker = broker.Url,
            ClientCertificateFile = identity.CertificateFile,
            ClientKeyFile = identity.KeyFile,
            CaFile = _pki.CaFile,
            Username = username,
        };
        return MqttProbe.ConnectAsync(LinkClientOptions.Build(options, clientId ?? identity.CommonName, will: null), subscribe ?? []);
    }

    /// <summary>
    /// The broker ended the connection in the TLS handshake (its alert, or — TLS 1.3 verifies the client after the
    /// client's side is done — the closed socket), before any MQTT packet: not an MQTT-level refusal.
    /// </summary>
    private static void AssertRefusedByTransport(Exception ex) =>
        Assert.Contains(Chain(ex), e => e is System.Net.Sockets.SocketException or IOException or System.Security.Authentication.AuthenticationException);

    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
