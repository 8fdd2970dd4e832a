using System.Net;
using System.Text;
using System.Text.Json;
using CreditEdge.Messaging;
using CreditEdge.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace CreditEdge.Agent.Tests;

/// <summary>The in-process agent on <c>mqtts://</c> against the shipped TLS listener and ACL, with certificates from a test CA.</summary>
[Collection(BrokerTests.Name)]
public sealed class TlsAgentTests : IDisposable
{
    private const string Device = "kiosk-a";
    private readonly TempDirectory _data = new("tls-agent");
    private readonly TestCertificateAuthority _pki = TestCertificateAuthority.Create();

    public void Dispose()
    {
        _pki.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Mqtts_AgentWithDeviceCertificate_DecisionAndRetainedOnlineStatusReachTheOffice()
    {
        await using var broker = await MosquittoBroker.StartShippedTlsAsync(_pki);
        var officeIdentity = _pki.IssueClient("office");
        await using var office = await MqttProbe.ConnectTlsAsync(broker.Port, "office", officeIdentity, _pki.CaFile, Topics.Decisions(Device));
        var device = _pki.IssueClient(Device);
        await using var agent = await RunningAgent.StartAsync(
            _data.Path,
            $"--DeviceId={Device}",
            $"--Mqtt:Broker={broker.Url}",
            $"--Mqtt:ClientCertificateFile={device.CertificateFile}",
            $"--Mqtt:ClientKeyFile={device.KeyFile}",
            $"--Mqtt:CaFile={_pki.CaFile}",
            "--Telemetry:Interval=01:00:00");
        using var connectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await agent.Services.GetRequiredService<FleetLink>().WaitConnectedAsync(connectTimeout.Token);

        using var response = await agent.Client.PostAsync(new Uri("/v1/score", UriKind.Relative),
            new StringContent(GoldenSet.RequestBody(GoldenSet.Records[0], "tls-1"), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var decisionId = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("decisionId").GetString()!;

        await office.WaitForAsync(m => m.Any(x => x.Topic == Topics.Decisions(Device) && x.Payload.Contains(decisionId, StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), $"decision {decisionId} on {Topics.Decisions(Device)} over TLS");

        // a subscriber arriving later gets the device's status from the broker's retained copy
        await using var late = await MqttProbe.ConnectTlsAsync(broker.Port, "office-late", officeIdentity, _pki.CaFile, Topics.Status(Device));
        await late.WaitForAsync(m => m.Any(x => x.Retained), TimeSpan.FromSeconds(10), "the retained status");
        var status = JsonDocument.Parse(late.Messages.First(x => x.Retained).Payload).RootElement;
        Assert.Equal("online", status.GetProperty("state").GetString());
        Assert.Equal(Device, status.GetProperty("deviceId").GetString());
    }
}
