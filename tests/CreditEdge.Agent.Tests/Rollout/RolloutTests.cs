using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditEdge.Core.Packages.Rollout;
using CreditEdge.Messaging.Rollout;
using CreditEdge.TestKit;

namespace CreditEdge.Agent.Tests.Rollout;

/// <summary>Pushes that go through: to a device online and one that comes later, with a shadow trial, and a probation that rolls back.</summary>
public sealed class RolloutTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _data = new("ota-agent");
    private readonly TempDirectory _later = new("ota-later");
    private OtaRig _rig = null!;

    public async Task InitializeAsync() => _rig = await OtaRig.StartAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    public void Dispose()
    {
        _data.Dispose();
        _later.Dispose();
    }

    [Fact]
    public async Task Push_ToAnOnlineDeviceAndOneThatComesLater_BothActiveWhileScoringNeverFails()
    {
        await using var online = await RunningAgent.StartAsync(_data.Path, _rig.AgentArgs(_data.Path, "kiosk-online"));
        var package = _rig.MakePackage("v2", "2.0.0", 10);
        using (var warmUp = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await ScoreContinuouslyAsync(online, warmUp.Token); // first requests JIT the path: not what a push costs
        }

        Slow.Clear();
        using var scoring = new CancellationTokenSource();
        var load = ScoreContinuouslyAsync(online, scoring.Token);

        var pushed = await _rig.PushAsync(package, 5_000, shadow: new ShadowCriteria(20, TimeSpan.FromMinutes(5), 0.95, 0.9, 100));
        var outcome = await _rig.WaitForOutcomeAsync("kiosk-online", pushed.Desired.Sequence);
        await Task.Delay(300); // a few requests on the new model too
        await scoring.CancelAsync();
        var (statuses, latencies) = await load;

        Assert.True(outcome.Event == ModelEvents.Active, $"{outcome.Event} {outcome.Check} {outcome.Detail}");
        Assert.Equal("2.0.0", await VersionAsync(online));
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        latencies.Sort();
        // a timing figure, reported (the latency goal is measured by the benchmark, not asserted here)
        output.WriteLine($"{latencies.Count} requests during the push: median {latencies[latencies.Count / 2]:F2} ms, slowest {latencies[^1]:F2} ms");
        foreach (var (at, ms) in Slow.OrderByDescending(x => x.Ms).Take(5))
        {
            var near = _rig.Events.Where(e => e.DeviceId == "kiosk-online" && e.At <= at).OrderBy(e => e.At).LastOrDefault();
            output.WriteLine($"slow {ms:F1} ms ending {at:HH:mm:ss.fff}, last event before: {near?.Event} at {near?.At:HH:mm:ss.fff}");
        }
        var steps = _rig.Events.Where(e => e.DeviceId == "kiosk-online" && e.Sequence == pushed.Desired.Sequence).Select(e => e.Event).Distinct().ToList();
        Assert.Equal([ModelEvents.Received, ModelEvents.Downloading, ModelEvents.Downloaded, ModelEvents.Verified, ModelEvents.Validated, ModelEvents.Shadowing, ModelEvents.Active], steps);

        // a device switched on after the push finds the retained message and chunks; its shadow trial runs on its own traffic
        await using var later = await RunningAgent.StartAsync(_later.Path, _rig.AgentArgs(_later.Path, "kiosk-later"));
        using var laterScoring = new CancellationTokenSource();
        var laterLoad = ScoreContinuouslyAsync(later, laterScoring.Token);
        var laterOutcome = await _rig.WaitForOutcomeAsync("kiosk-later", pushed.Desired.Sequence);
        await laterScoring.CancelAsync();
        Assert.All((await laterLoad).Statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(ModelEvents.Active, laterOutcome.Event);
        Assert.Equal("2.0.0", await VersionAsync(later));
    }

    [Fact]
    public async Task Push_CandidateDisagreeingWithTheChampion_NotPromotedAndReported()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path, _rig.AgentArgs(_data.Path, "kiosk-shadow"));
        var strict = _rig.MakePackage("strict", "3.0.0", 10, dir => PackageForge.EditManifest(dir, m => m["policy"]!["approveMinScore"] = 700));
        using var scoring = new CancellationTokenSource();
        var load = ScoreContinuouslyAsync(agent, scoring.Token);

        var pushed = await _rig.PushAsync(strict, 6_000, shadow: new ShadowCriteria(30, TimeSpan.FromMinutes(5), 0.95, 0.5, 100));
        var outcome = await _rig.WaitForOutcomeAsync("kiosk-shadow", pushed.Desired.Sequence);
        await scoring.CancelAsync();
        await load;

        Assert.True(outcome is { Event: ModelEvents.Rejected, Check: "shadow-agreement" }, $"{outcome.Event} {outcome.Check} {outcome.Detail}");
        Assert.Equal("1.1.0", await VersionAsync(agent));
    }

    [Fact]
    public async Task Push_ActivatedModelWhoseScoresDriftFromItsReference_RolledBackAndReported()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path, _rig.AgentArgs(_data.Path, "kiosk-probation"));
        var drifting = MakeDriftingPackage("drifting", "4.0.0");
        using var scoring = new CancellationTokenSource();
        var load = ScoreContinuouslyAsync(agent, scoring.Token);

        var pushed = await _rig.PushAsync(drifting, 7_000, probation: new ProbationCriteria(40, TimeSpan.FromMinutes(5), 0.25, 0.5, 100));
        var active = await _rig.WaitForEventAsync("kiosk-probation", pushed.Desired.Sequence, e => e.Event == ModelEvents.Active, "active");
        var rolledBack = await _rig.WaitForEventAsync("kiosk-probation", pushed.Desired.Sequence, e => e.Event is ModelEvents.RolledBack or ModelEvents.ProbationPassed, "probation outcome");
        await scoring.CancelAsync();
        var (statuses, _) = await load;

        Assert.NotNull(active);
        Assert.True(rolledBack is { Event: ModelEvents.RolledBack, Check: "probation-psi" }, $"{rolledBack.Event} {rolledBack.Check} {rolledBack.Detail}");
        Assert.Equal("1.1.0", await VersionAsync(agent));
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }

    [Fact]
    public async Task Probation_RollsBackWhileTheBrokerIsDown_EventDeliveredOnceItIsBack()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path, _rig.AgentArgs(_data.Path, "kiosk-offline-rollback"));
        var drifting = MakeDriftingPackage("drifting-offline", "4.2.0");
        // a persistent session, so what the device publishes while this office client reconnects is queued for it
        await using var office = await MqttProbe.ConnectAsync(_rig.Broker.Port, "office-offline-rollback", cleanStart: false,
            subscribe: "creditedge/devices/kiosk-offline-rollback/model/events");
        var pushed = await _rig.PushAsync(drifting, 7_200, probation: new ProbationCriteria(40, TimeSpan.FromMinutes(5), 0.25, 0.5, 100));
        await _rig.WaitForEventAsync("kiosk-offline-rollback", pushed.Desired.Sequence, e => e.Event == ModelEvents.Active, "active");

        await _rig.Broker.StopAsync();
        using (var scoring = new CancellationTokenSource())
        {
            var load = ScoreContinuouslyAsync(agent, scoring.Token); // the probation's decisions, made with no broker
            await Eventually.HoldsAsync(async () => await VersionAsync(agent) == "1.1.0", TimeSpan.FromSeconds(60), "rolled back offline");
            await scoring.CancelAsync();
            await load;
        }

        await _rig.Broker.StartAsync();
        await office.ReconnectAsync();
        await office.WaitForAsync(messages => messages.Any(m => m.Payload.Contains("\"rolled-back\"", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the rolled-back event made while the broker was down");
        var rolledBack = office.Messages.Select(m => JsonSerializer.Deserialize(m.Payload, Messaging.MessagingJson.Wire.ModelEvent)!)
            .Single(e => e.Event == ModelEvents.RolledBack);
        Assert.Equal((pushed.Desired.Sequence, "probation-psi"), (rolledBack.Sequence, rolledBack.Check));
    }

    [Fact]
    public async Task Push_ModelAsGoodAsTheOneBefore_PassesProbationWithDefaultThresholds()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path, _rig.AgentArgs(_data.Path, "kiosk-steady"));
        var same = _rig.MakePackage("steady", "4.1.0", 10);
        using var scoring = new CancellationTokenSource();
        var load = ScoreContinuouslyAsync(agent, scoring.Token);
        await Task.Delay(1000); // the running model's live engine times: the latency baseline

        var defaults = ProbationCriteria.Default;
        var pushed = await _rig.PushAsync(same, 7_500, probation: defaults with { Decisions = 200, Duration = TimeSpan.FromSeconds(2) });
        var end = await _rig.WaitForEventAsync("kiosk-steady", pushed.Desired.Sequence, e => e.Event is ModelEvents.RolledBack or ModelEvents.ProbationPassed or ModelEvents.Rejected, "probation outcome");
        await scoring.CancelAsync();
        await load;

        Assert.True(end.Event == ModelEvents.ProbationPassed, $"{end.Event} {end.Check} {end.Detail}");
        Assert.Equal("4.1.0", await VersionAsync(agent));
    }

    private static readonly ConcurrentBag<(DateTimeOffset At, double Ms)> Slow = [];

    /// <summary>A package whose reference says nearly every score falls in the first bin: live scores drift from it at once.</summary>
    private string MakeDriftingPackage(string name, string version) =>
        _rig.MakePackage(name, version, 10, dir => PackageForge.EditManifest(dir, m =>
        {
            var proportions = m["reference"]!["score"]!["proportions"]!.AsArray();
            for (var i = 0; i < proportions.Count; i++)
            {
                proportions[i] = i == 0 ? 1 - (0.001 * (proportions.Count - 1)) : 0.001;
            }
        }));

    private static async Task<string> VersionAsync(RunningAgent agent) =>
        (await agent.Client.GetFromJsonAsync<JsonElement>(new Uri("/v1/model", UriKind.Relative))).GetProperty("version").GetString()!;

    /// <summary>Two clients scoring golden applicants until cancelled; every status and latency (ms).</summary>
    private static async Task<(List<HttpStatusCode> Statuses, List<double> Latencies)> ScoreContinuouslyAsync(RunningAgent agent, CancellationToken cancellationToken)
    {
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var latencies = new ConcurrentBag<double>();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(client => Task.Run(async () =>
        {
            var i = client;
            while (!cancellationToken.IsCancellationRequested)
            {
                using var body = new StringContent(GoldenSet.RequestBody(GoldenSet.Records[(i += 2) % GoldenSet.Records.Count]), Encoding.UTF8, "application/json");
                var started = Stopwatch.GetTimestamp();
                using var response = await agent.Client.PostAsync(new Uri("/v1/score", UriKind.Relative), body, CancellationToken.None);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Slow.Add((DateTimeOffset.UtcNow, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                statuses.Add(response.StatusCode);
                await Task.Delay(5, CancellationToken.None);
            }
        }, CancellationToken.None)));
        return (statuses.ToList(), latencies.ToList());
    }
}
