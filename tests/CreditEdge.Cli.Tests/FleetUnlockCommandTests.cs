using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.Core.Security;
using CreditEdge.Messaging;
using CreditEdge.TestKit;

namespace CreditEdge.Cli.Tests;

/// <summary>
/// <c>cedge fleet unlock</c>: its arguments, and what it sends through a real Mosquitto enforcing the shipped ACL. A kiosk
/// that answers is the real agent's part (its tests run this command against it); here no device answers.
/// </summary>
public sealed class FleetUnlockCommandTests : IDisposable
{
    private const string Password = "secret-for-tests";
    private const string Device = "kiosk-7";
    private readonly TempDirectory _temp = new("cedge-unlock");
    private readonly string _keys;

    public FleetUnlockCommandTests()
    {
        _keys = _temp.Combine("keys");
        Assert.Equal(0, Cedge.Run("keys", "generate", "--out", _keys).ExitCode);
    }

    private string PrivateKey => Path.Combine(_keys, SigningKeys.PrivateKeyFile);

    private string PublicKey => Path.Combine(_keys, SigningKeys.PublicKeyFile);

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("--broker")]
    [InlineData("--device")]
    [InlineData("--key")]
    [InlineData("--operator")]
    public void Unlock_RequiredOptionMissing_UsageErrorOnOneLineNamingIt(string missing)
    {
        var args = new Dictionary<string, string> { ["--broker"] = "mqtt://127.0.0.1:1", ["--device"] = Device, ["--key"] = PrivateKey, ["--operator"] = "j.doe" };
        args.Remove(missing);

        var result = Cedge.Run(["fleet", "unlock", .. args.SelectMany(a => new[] { a.Key, a.Value })]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(missing, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--device", "kiosk/+", "--device must be 1-64 letters")]
    [InlineData("--operator", "", "--operator must be 1-64 printable characters")]
    [InlineData("--operator", "   ", "--operator must be 1-64 printable characters")]
    [InlineData("--operator", "j.doe\nforged: line", "not 'j.doe\\u000aforged: line'")]
    [InlineData("--reason", "tab\there", "--reason must be printable characters")]
    [InlineData("--timeout", "soon", "--timeout must be a duration above 0")]
    [InlineData("--timeout", "0s", "--timeout must be a duration above 0")]
    [InlineData("--timeout", "2d", "not '2d'")]
    [InlineData("--timeout", "25h", "at most 1.00:00:00")]
    [InlineData("--connect-timeout", "-5s", "--connect-timeout must be a duration above 0")]
    [InlineData("--broker", "http://example", "mqtt://host:port")]
    public void Unlock_InvalidArgument_UsageErrorOnOneLineNamingIt(string option, string value, string named)
    {
        var args = new Dictionary<string, string> { ["--broker"] = "mqtt://127.0.0.1:1", ["--device"] = Device, ["--key"] = PrivateKey, ["--operator"] = "j.doe", [option] = value };

        var result = Cedge.Run(["fleet", "unlock", .. args.SelectMany(a => new[] { a.Key, a.Value })]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(named, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Unlock_ReasonOverTheLimit_UsageErrorNamingTheLength()
    {
        var result = Cedge.Run("fleet", "unlock", "--broker", "mqtt://127.0.0.1:1", "--device", Device, "--key", PrivateKey, "--operator", "j.doe",
            "--reason", new string('r', UnlockOrder.MaxReasonLength + 1));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"--reason must be at most {UnlockOrder.MaxReasonLength} characters, not {UnlockOrder.MaxReasonLength + 1}", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Unlock_KeyFileMissing_UsageErrorOnOneLine()
    {
        var result = Cedge.Run("fleet", "unlock", "--broker", "mqtt://127.0.0.1:1", "--device", Device, "--key", _temp.Combine("nope.pem"), "--operator", "j.doe");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nope.pem", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Unlock_KeyIsAPublicKey_FailsOnOneLineBeforeConnecting()
    {
        var result = Cedge.Run("fleet", "unlock", "--broker", "mqtt://127.0.0.1:1", "--device", Device, "--key", PublicKey, "--operator", "j.doe");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("holds a 'PUBLIC KEY', not a private key", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unlock_NoDeviceAnswers_SaysSoOnOneLineAndExits1()
    {
        await using var broker = await MosquittoBroker.StartShippedAclAsync(Password, "operator", Device);
        // the kiosk's own client, connected under the shipped ACL, sees the request (and answers nothing)
        await using var kiosk = await MqttProbe.ConnectAsync(broker.Port, Device, username: Device, password: Password, subscribe: Topics.Commands(Device));
        var requests = new ConcurrentQueue<(string Topic, string? ResponseTopic, byte[]? Correlation, byte[] Payload)>();
        kiosk.Client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            requests.Enqueue((m.Topic, m.ResponseTopic, m.CorrelationData, m.Payload.ToArray()));
            return Task.CompletedTask;
        };
        var before = DateTimeOffset.UtcNow;

        var run = Task.Run(() => Cedge.Run("fleet", "unlock", "--broker", broker.Url, "--username", "operator", "--password", Password, "--device", Device,
            "--key", PrivateKey, "--operator", "j.doe", "--reason", "enclosure closed after service", "--timeout", "3s"));
        await Eventually.HoldsAsync(() => !requests.IsEmpty, TimeSpan.FromSeconds(20), "the unlock request at the kiosk");
        var request = Assert.Single(requests);
        // the ACL lets the kiosk write on the response topic; a message there without the request's correlation data is no answer
        var stray = await kiosk.PublishAsync(request.ResponseTopic!, "{\"ok\":true,\"command\":\"unlock\"}");
        var result = await run;

        Assert.True(stray.IsSuccess, $"the shipped ACL refused the kiosk's write on {request.ResponseTopic}: {stray.ReasonCode}");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"cedge: no answer from {Device} within 3 s; is it online? (cedge fleet status)", Assert.Single(result.ErrorLines));
        Assert.Empty(result.Output);

        // the wire format: command 'unlock', a response topic of this call's own, correlation data, {"order": base64 of the signed order}
        Assert.Equal(Topics.Command(Device, "unlock"), request.Topic);
        Assert.StartsWith($"creditedge/replies/{Device}/", request.ResponseTopic, StringComparison.Ordinal);
        Assert.NotEmpty(request.Correlation ?? []);
        using var arguments = JsonDocument.Parse(request.Payload);
        Assert.Equal(["order"], arguments.RootElement.EnumerateObject().Select(p => p.Name));
        using var trusted = SigningKeys.LoadPublicKey(PublicKey);
        var order = UnlockOrderReader.ReadBase64(arguments.RootElement.GetProperty(UnlockOrder.CommandArgument).GetString(), [trusted]);
        Assert.Equal((Device, "j.doe", "enclosure closed after service"), (order.DeviceId, order.Operator, order.Reason));
        Assert.InRange(order.IssuedAt, before.AddSeconds(-1), DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Unlock_DeviceOffline_RequestExpiresWithTheWait()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        // the kiosk has a persistent session with its command subscription, and is offline
        await using (var _ = await MqttProbe.ConnectAsync(broker.Port, Device, cleanStart: false, subscribe: Topics.Commands(Device)))
        {
        }

        var result = await Task.Run(() => Cedge.Run("fleet", "unlock", "--broker", broker.Url, "--device", Device, "--key", PrivateKey, "--operator", "j.doe", "--timeout", "1s"));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"cedge: no answer from {Device} within 1 s; is it online? (cedge fleet status)", Assert.Single(result.ErrorLines));
        await Task.Delay(TimeSpan.FromSeconds(2));

        // back online: the broker dropped the request its sender gave up on, so the kiosk never acts on it later
        await using var kiosk = await MqttProbe.ConnectAsync(broker.Port, Device, cleanStart: false);
        await using var seed = await MqttProbe.ConnectAsync(broker.Port, "seed");
        await seed.PublishAsync(Topics.Command(Device, "status"), "{}"); // a request sent now still arrives: the session is live
        await kiosk.WaitForAsync(m => m.Any(x => x.Topic == Topics.Command(Device, "status")), TimeSpan.FromSeconds(10), "the later status request");
        Assert.DoesNotContain(kiosk.Messages, m => m.Topic == Topics.Command(Device, "unlock"));
    }

    [Fact]
    public async Task Unlock_BrokerNeverComes_FailsWithOneLineAfterRetrying()
    {
        await using var broker = MosquittoBroker.CreateStopped();

        var result = await Task.Run(() => Cedge.Run("fleet", "unlock", "--broker", broker.Url, "--device", Device, "--key", PrivateKey, "--operator", "j.doe",
            "--connect-timeout", "3s"));

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"cedge: could not connect to mqtt://127.0.0.1:{broker.Port} within 00:00:03 (", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }
}
