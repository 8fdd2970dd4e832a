using System.Device.Gpio;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CreditEdge.Agent.Hardware;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.Core.Security;
using CreditEdge.Hardware;
using CreditEdge.Messaging;
using CreditEdge.Messaging.Central;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Agent.Tests;

/// <summary>
/// The real agent on the simulated GPIO board (the driver a board without a GPIO chip gets): the status light follows the
/// agent, each decision pulses its outcome lamp, and the tamper switch locks the kiosk — 503, an audit-chain event, kept
/// across a restart — until it is unlocked.
/// </summary>
public sealed class KioskHardwareTests : IDisposable
{
    private const int Green = 5, Amber = 6, Red = 13, Approve = 19, Refer = 20, Decline = 21, SyncButton = 22, Tamper = 17;

    private static readonly string[] Pins =
    [
        "--Hardware:Driver=Simulated", $"--Hardware:GreenPin={Green}", $"--Hardware:AmberPin={Amber}", $"--Hardware:RedPin={Red}",
        $"--Hardware:ApprovePin={Approve}", $"--Hardware:ReferPin={Refer}", $"--Hardware:DeclinePin={Decline}",
        $"--Hardware:SyncButtonPin={SyncButton}", $"--Hardware:TamperPin={Tamper}", "--Hardware:BlinkPeriod=00:00:00.200",
    ];

    private readonly TempDirectory _dir = new("kiosk-hw");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Agent_WithoutGpioChip_RunsOnTheSimulatedBoard()
    {
        await using var agent = await RunningAgent.StartAsync(_dir.Combine("data"), "--Hardware:Chip=99");

        var board = agent.Services.GetRequiredService<GpioBoard>();
        Assert.Equal("simulated", board.DriverName);
        Assert.Equal(HttpStatusCode.OK, (await ScoreAsync(agent, 0)).StatusCode);
    }

    [Fact]
    public async Task Light_ReadyAndOffline_BlinksGreenOnly()
    {
        await using var agent = await StartClosedAsync(Pins);
        var board = agent.Services.GetRequiredService<GpioBoard>();

        await Eventually.HoldsAsync(() => board.Light.Current == LightState.ReadyOffline, TimeSpan.FromSeconds(10), "ready and offline");
        var since = DateTimeOffset.UtcNow;
        await Task.Delay(700);
        var writes = board.Simulated!.History().Where(w => w.At >= since).ToList();
        Assert.Contains(writes, w => w.Pin == Green && w.Value == PinValue.High);
        Assert.Contains(writes, w => w.Pin == Green && w.Value == PinValue.Low);
        Assert.Equal(PinValue.Low, board.Simulated.Output(Red));
        Assert.Equal(PinValue.Low, board.Simulated.Output(Amber));
    }

    [Fact]
    public async Task Light_Online_SteadyGreen_ThenBlinksWhenTheBrokerGoes()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var agent = await StartClosedAsync([.. Pins, $"--Mqtt:Broker={broker.Url}", "--Mqtt:ReconnectMinDelay=00:00:00.200"]);
        var board = agent.Services.GetRequiredService<GpioBoard>();

        await Eventually.HoldsAsync(() => board.Light.Current == LightState.ReadyOnline, TimeSpan.FromSeconds(20), "ready and online");
        Assert.Equal(PinValue.High, board.Simulated!.Output(Green));
        await broker.StopAsync();

        await Eventually.HoldsAsync(() => board.Light.Current == LightState.ReadyOffline, TimeSpan.FromSeconds(20), "ready and offline");
    }

    [Fact]
    public async Task Light_NoModel_ShowsFaultRed()
    {
        var empty = Directory.CreateDirectory(_dir.Combine("no-model")).FullName;
        await using var agent = await StartClosedAsync([.. Pins, $"--ModelDirectory={empty}"]);
        var board = agent.Services.GetRequiredService<GpioBoard>();

        await Eventually.HoldsAsync(() => board.Light.Current == LightState.Fault, TimeSpan.FromSeconds(10), "the fault light");
        Assert.Equal(PinValue.High, board.Simulated!.Output(Red));
        Assert.Equal(PinValue.Low, board.Simulated.Output(Green));
    }

    [Fact]
    public async Task Decision_PulsesItsOutcomeLamp()
    {
        await using var agent = await StartClosedAsync(Pins);
        var board = agent.Services.GetRequiredService<GpioBoard>();
        var since = DateTimeOffset.UtcNow;

        using var response = await ScoreAsync(agent, 0);
        var outcome = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("outcome").GetString();

        var lamp = outcome switch { "approve" => Approve, "refer" => Refer, _ => Decline };
        await Eventually.HoldsAsync(() => board.Simulated!.History().Any(w => w.At >= since && w.Pin == lamp && w.Value == PinValue.High), TimeSpan.FromSeconds(5), $"the {outcome} lamp");
        await Eventually.HoldsAsync(() => board.Simulated!.Output(lamp) == PinValue.Low, TimeSpan.FromSeconds(5), "the lamp off after the pulse");
        Assert.DoesNotContain(board.Simulated!.History(), w => w.At >= since && w.Pin != lamp && w.Pin is Approve or Refer or Decline && w.Value == PinValue.High);
    }

    [Fact]
    public async Task Tamper_Opened_LocksWith503AndAnAuditEvent_KeptAcrossRestart_UnlockedOnSiteOnlyOnceClosed()
    {
        string[] args = [.. Pins, "--Hardware:LocalUnlock=LongPress", "--Hardware:LongPress=00:00:01"];
        await using (var agent = await StartClosedAsync(args))
        {
            var board = agent.Services.GetRequiredService<GpioBoard>();
            Assert.Equal(HttpStatusCode.OK, (await ScoreAsync(agent, 0)).StatusCode);

            board.Simulated!.SetInput(Tamper, PinValue.High); // the enclosure opens

            await Eventually.HoldsAsync(() => board.Light.Current == LightState.Locked, TimeSpan.FromSeconds(10), "the locked light");
            using var refused = await ScoreAsync(agent, 1);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("the kiosk is locked: the enclosure was opened", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            using var ready = await agent.Client.GetAsync(new Uri("/readyz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            // the lock refuses from the instant it is taken; its audit event follows in the next commit
            var store = agent.Services.GetRequiredService<LiteDecisionStore>();
            await Eventually.HoldsAsync(() => store.ReadEvents(0, 10).Count > 0, TimeSpan.FromSeconds(10), "the tamper event in the audit chain");
            Assert.Equal("tamper-opened", Assert.Single(store.ReadEvents(0, 10)).Event.Type);
            Assert.True(File.Exists(Path.Combine(_dir.Combine("data"), TamperLock.FileName)));
        }

        await using (var agent = await StartClosedAsync(args)) // restarted with the enclosure closed again: still locked
        {
            var board = agent.Services.GetRequiredService<GpioBoard>();
            using var refused = await ScoreAsync(agent, 2);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);

            board.Simulated!.SetInput(Tamper, PinValue.High); // open while the technician holds the button: refused
            await Eventually.HoldsAsync(() => board.Tamper!.IsOpen, TimeSpan.FromSeconds(5), "the switch open");
            await HoldButtonAsync(board, TimeSpan.FromSeconds(1.5));
            Assert.NotNull(agent.Services.GetRequiredService<TamperLock>().Current);

            board.Simulated.SetInput(Tamper, PinValue.Low); // closed, then held: unlocked
            await Eventually.HoldsAsync(() => !board.Tamper!.IsOpen, TimeSpan.FromSeconds(5), "the switch closed");
            await HoldButtonAsync(board, TimeSpan.FromSeconds(1.5));

            await Eventually.HoldsAsync(() => agent.Services.GetRequiredService<TamperLock>().Current is null, TimeSpan.FromSeconds(5), "unlocked");
            Assert.Equal(HttpStatusCode.OK, (await ScoreAsync(agent, 3)).StatusCode);
            var store = agent.Services.GetRequiredService<LiteDecisionStore>();
            Assert.Equal(["tamper-opened", "tamper-unlocked"], store.ReadEvents(0, 10).Select(e => e.Event.Type));
            Assert.Null(store.VerifyAuditChain().Problem);
            Assert.False(File.Exists(Path.Combine(_dir.Combine("data"), TamperLock.FileName)));
        }
    }

    [Fact]
    public async Task Tamper_SignedUnlockOverMqtt_RefusesUntrustedStaleAndWhileOpen_ThenUnlocks()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        using var operatorKey = SigningKeys.Generate();
        using var strangerKey = SigningKeys.Generate();
        var operators = _dir.Combine("operators");
        SigningKeys.WriteKeyPair(operatorKey, operators);
        await using var agent = await StartClosedAsync([.. Pins, $"--Mqtt:Broker={broker.Url}", $"--Hardware:UnlockTrustDirectory={operators}", "--DeviceId=kiosk-7"]);
        var board = agent.Services.GetRequiredService<GpioBoard>();
        var tamperLock = agent.Services.GetRequiredService<TamperLock>();
        var beforeTheLock = DateTimeOffset.UtcNow.AddSeconds(-5);
        board.Simulated!.SetInput(Tamper, PinValue.High);
        await Eventually.HoldsAsync(() => tamperLock.Current is not null && board.Tamper!.IsOpen, TimeSpan.FromSeconds(10), "locked");
        var connection = new CentralConnection(new Uri(broker.Url), null, null);

        async Task<CommandReply> UnlockAsync(ECDsa key, DateTimeOffset issuedAt, string deviceId = "kiosk-7")
        {
            var order = UnlockOrderSigner.Sign(new UnlockOrder(deviceId, issuedAt, "j.doe", "enclosure serviced, ticket 4711"), key);
            return await DeviceCommandSender.SendAsync(connection, "kiosk-7", UnlockOrder.CommandName, new JsonObject { [UnlockOrder.CommandArgument] = Convert.ToBase64String(order) },
                TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20), TimeProvider.System, NullLogger.Instance, CancellationToken.None) ?? throw new TimeoutException("no answer from the agent");
        }

        var stranger = await UnlockAsync(strangerKey, DateTimeOffset.UtcNow);
        var stale = await UnlockAsync(operatorKey, beforeTheLock); // an order from before the lock: a replay
        var otherDevice = await UnlockAsync(operatorKey, DateTimeOffset.UtcNow, "kiosk-8");
        var whileOpen = await UnlockAsync(operatorKey, DateTimeOffset.UtcNow);
        Assert.NotNull(tamperLock.Current);
        board.Simulated.SetInput(Tamper, PinValue.Low);
        await Eventually.HoldsAsync(() => !board.Tamper!.IsOpen, TimeSpan.FromSeconds(5), "the switch closed");
        var accepted = await UnlockAsync(operatorKey, DateTimeOffset.UtcNow);

        Assert.False(stranger.Ok);
        Assert.Contains(UnlockOrderChecks.Signature, stranger.Error, StringComparison.Ordinal);
        Assert.False(stale.Ok);
        Assert.Contains(UnlockOrderChecks.Stale, stale.Error, StringComparison.Ordinal);
        Assert.False(otherDevice.Ok);
        Assert.Contains(UnlockOrderChecks.Device, otherDevice.Error, StringComparison.Ordinal);
        Assert.False(whileOpen.Ok);
        Assert.Contains("the enclosure is still open", whileOpen.Error, StringComparison.Ordinal);
        Assert.True(accepted.Ok, accepted.Error);
        Assert.Null(tamperLock.Current);
        Assert.Equal(HttpStatusCode.OK, (await ScoreAsync(agent, 4)).StatusCode);
        var unlocked = agent.Services.GetRequiredService<LiteDecisionStore>().ReadEvents(0, 10)[^1].Event;
        Assert.Equal("tamper-unlocked", unlocked.Type);
        Assert.Equal("j.doe", unlocked.Data!["by"]);
    }

    [Fact]
    public async Task Tamper_Opened_AlertPublishedAndRetainedStatusNamesTheLock()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var agent = await StartClosedAsync([.. Pins, $"--Mqtt:Broker={broker.Url}", "--DeviceId=kiosk-9"]);
        await using var office = await MqttProbe.ConnectAsync(broker.Port, "office", subscribe: "creditedge/devices/kiosk-9/#");
        await agent.Services.GetRequiredService<FleetLink>().WaitConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);

        agent.Services.GetRequiredService<GpioBoard>().Simulated!.SetInput(Tamper, PinValue.High);

        await office.WaitForAsync(m => m.Any(x => x.Topic == Topics.Alerts("kiosk-9")), TimeSpan.FromSeconds(20), "the alert");
        await office.WaitForAsync(m => m.Any(x => x.Topic == Topics.Status("kiosk-9") && x.Payload.Contains("\"locked\":\"the kiosk is locked", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "the status naming the lock");
        var alert = System.Text.Json.JsonDocument.Parse(office.Messages.First(x => x.Topic == Topics.Alerts("kiosk-9")).Payload).RootElement;
        Assert.Equal("locked", alert.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Tamper_OpenAtStart_LocksAtOnce()
    {
        await using var agent = await RunningAgent.StartAsync(_dir.Combine("data"), Pins); // nothing closes the switch: it reads open

        using var refused = await ScoreAsync(agent, 0);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("the enclosure was open at start", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task HoldButtonAsync(GpioBoard board, TimeSpan howLong)
    {
        board.Simulated!.SetInput(SyncButton, PinValue.Low); // active low: pressed
        await Task.Delay(howLong);
        board.Simulated.SetInput(SyncButton, PinValue.High);
    }

    /// <summary>The agent with its enclosure closed (the switch pulls the tamper line low, past its debounce) before it starts.</summary>
    private Task<RunningAgent> StartClosedAsync(string[] args) =>
        RunningAgent.StartAsync(_dir.Combine("data"), services =>
        {
            var board = services.GetRequiredService<GpioBoard>();
            board.Simulated!.SetInput(Tamper, PinValue.Low);
            Assert.True(SpinWait.SpinUntil(() => !board.Tamper!.IsOpen, TimeSpan.FromSeconds(5)), "the switch reads closed");
        }, args);

    private static Task<HttpResponseMessage> ScoreAsync(RunningAgent agent, int record) =>
        agent.Client.PostAsync(new Uri("/v1/score", UriKind.Relative),
            new StringContent(GoldenSet.RequestBody(GoldenSet.Records[record], $"hw-{record}"), Encoding.UTF8, "application/json"));
}
