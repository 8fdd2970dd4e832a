using CreditEdge.Messaging;
using CreditEdge.Messaging.Central;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;

namespace CreditEdge.Messaging.Tests;

/// <summary>The shipped provisioning/mosquitto/creditedge.acl, enforced by a real Mosquitto with password users.</summary>
public sealed class BrokerAclTests
{
    private const string Password = "secret-for-tests";

    [Fact]
    public async Task ShippedAcl_DevicePublishesIntoAnotherDevicesTopic_RefusedAndNotDelivered()
    {
        await using var broker = await StartSecuredBrokerAsync();
        await using var office = await MqttProbe.ConnectAsync(broker.Port, "office", username: "office", password: Password,
            subscribe: [Topics.Decisions("kiosk-a"), Topics.Decisions("kiosk-b")]);
        await using var kioskA = await MqttProbe.ConnectAsync(broker.Port, "kiosk-a", username: "kiosk-a", password: Password);

        var forged = await kioskA.PublishAsync(Topics.Decisions("kiosk-b"), "{\"decisionId\":\"forged\"}");
        var own = await kioskA.PublishAsync(Topics.Decisions("kiosk-a"), "{\"decisionId\":\"real\"}");

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        Assert.True(own.IsSuccess);
        await office.WaitForAsync(m => m.Any(x => x.Payload.Contains("real", StringComparison.Ordinal)), TimeSpan.FromSeconds(5), "the device's own decision");
        await Task.Delay(300);
        Assert.DoesNotContain(office.Messages, m => m.Topic == Topics.Decisions("kiosk-b"));
    }

    [Fact]
    public async Task ShippedAcl_DeviceStatusAndCommandsOfAnother_CannotWriteOrRead()
    {
        await using var broker = await StartSecuredBrokerAsync();
        await using var kioskA = await MqttProbe.ConnectAsync(broker.Port, "kiosk-a", username: "kiosk-a", password: Password,
            subscribe: Topics.Commands("kiosk-b"));
        await using var kioskB = await MqttProbe.ConnectAsync(broker.Port, "kiosk-b", username: "kiosk-b", password: Password,
            subscribe: Topics.Commands("kiosk-b"));
        await using var operatorProbe = await MqttProbe.ConnectAsync(broker.Port, "operator", username: "operator", password: Password);

        var status = await kioskA.PublishAsync(Topics.Status("kiosk-b"), "{\"state\":\"offline\"}", retain: true);
        var desired = await kioskA.PublishAsync(Topics.GroupDesired("default"), "{}", retain: true);
        var command = await operatorProbe.PublishAsync(Topics.Command("kiosk-b", "status"), "{}");
        var outsideTree = await operatorProbe.PublishAsync("other/kiosk-b/commands/status", "{}");

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, status.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, desired.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, command.ReasonCode); // operators may command any device
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, outsideTree.ReasonCode); // but only under creditedge/
        await kioskB.WaitForAsync(m => m.Any(x => x.Topic == Topics.Command("kiosk-b", "status")), TimeSpan.FromSeconds(5), "the command at kiosk-b");
        await Task.Delay(300);
        Assert.Empty(kioskA.Messages); // kiosk-b's commands reach kiosk-b, never kiosk-a
    }

    [Fact]
    public async Task ShippedAcl_OfficeClientEchoProbe_ComesBackWithoutStalls()
    {
        await using var broker = await StartSecuredBrokerAsync();
        var options = new FleetLinkOptions
        {
            Broker = broker.Url,
            Username = "office",
            Password = Password,
            EchoInterval = TimeSpan.FromMilliseconds(200),
            EchoTimeout = TimeSpan.FromSeconds(2),
        };
        using var link = CentralClient.Create(options, "cedge-ingest", TimeProvider.System, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = link.RunAsync(stop.Token);

        await Eventually.HoldsAsync(() => link.Received >= 5 || link.Stalls > 0, TimeSpan.FromSeconds(20), "five echoes back (or a stall)");
        await stop.CancelAsync();
        await run;

        Assert.Equal(0, link.Stalls); // the shipped ACL lets an office client echo to itself: its probe works
        Assert.Equal(0, link.Reconnects);
    }

    [Fact]
    public async Task ShippedAcl_WrongPassword_ConnectionRefused()
    {
        await using var broker = await StartSecuredBrokerAsync();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => MqttProbe.ConnectAsync(broker.Port, "kiosk-a", username: "kiosk-a", password: "wrong"));
        Assert.Contains("NotAuthorized", ex.Message + ex.InnerException?.Message, StringComparison.Ordinal);
    }

    private static Task<MosquittoBroker> StartSecuredBrokerAsync() => MosquittoBroker.StartShippedAclAsync(Password, "kiosk-a", "kiosk-b", "office", "operator");
}
