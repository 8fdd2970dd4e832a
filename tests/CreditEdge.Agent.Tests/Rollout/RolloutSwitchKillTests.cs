using System.Net.Http.Json;
using System.Text.Json;
using CreditEdge.Messaging.Rollout;
using CreditEdge.TestKit;
using Xunit.Abstractions;

namespace CreditEdge.Agent.Tests.Rollout;

/// <summary>
/// The agent process SIGKILLed at random instants around a model switch, 20 times: each restart runs a loadable model —
/// the one it had or the new one — and then finishes the update by itself.
/// </summary>
public sealed class RolloutSwitchKillTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private const int Kills = 20;
    private const string Device = "kiosk-switch-kill";
    private readonly TempDirectory _data = new("ota-switch-kill");
    private OtaRig _rig = null!;

    public async Task InitializeAsync() => _rig = await OtaRig.StartAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Agent_KilledAtRandomInstantsOfTheSwitch_AlwaysRestartsWithALoadableModelAndFinishesTheUpdate()
    {
        var seed = Random.Shared.Next();
        var random = new Random(seed);
        var versions = new[] { _rig.MakePackage("kill-a", "6.0.0", 10), _rig.MakePackage("kill-b", "6.1.0", 11) };
        var running = "1.1.0";
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var kill = 0; kill < Kills; kill++)
        {
            var target = versions[kill % 2];
            var targetVersion = kill % 2 == 0 ? "6.0.0" : "6.1.0";
            var port = LoopbackPort.Free();
            var sequence = 20_000 + kill;
            await using (var agent = AgentProcess.Start(null, Args(port)))
            {
                using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                await Eventually.HoldsAsync(() => Ready(client), TimeSpan.FromSeconds(60), "the agent to be ready");
                await _rig.PushAsync(target, sequence);
                // the switch follows 'validated' within tens of milliseconds: kill somewhere in 0…150 ms after it
                await _rig.WaitForEventAsync(Device, sequence, e => e.Event == ModelEvents.Validated, "validated");
                await Task.Delay(random.Next(0, 150));
                await agent.KillHardAsync();
            }

            var restartPort = LoopbackPort.Free();
            await using (var restarted = AgentProcess.Start(null, Args(restartPort)))
            {
                using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{restartPort}") };
                await Eventually.HoldsAsync(() => Ready(client), TimeSpan.FromSeconds(60), "the restarted agent to be ready");
                var atStart = await VersionAsync(client);
                Assert.True(atStart == running || atStart == targetVersion, $"kill {kill + 1}: restarted on {atStart}, neither {running} nor {targetVersion}");
                counts[atStart == running ? "old" : "new"] = counts.GetValueOrDefault(atStart == running ? "old" : "new") + 1;
                await Eventually.HoldsAsync(() => VersionAsync(client).GetAwaiter().GetResult() == targetVersion, TimeSpan.FromSeconds(60), $"kill {kill + 1}: the update to finish after the restart");
                running = targetVersion;
            }
        }

        output.WriteLine($"seed {seed}: {Kills} kills; restarted on the model it had {counts.GetValueOrDefault("old")} times, on the new one {counts.GetValueOrDefault("new")} times; every update finished after the restart");
    }

    private string[] Args(int port) =>
    [
        $"--DataDirectory={_data.Path}",
        $"--Api:Urls=http://127.0.0.1:{port}",
        "--Logging:LogLevel:Default=Warning",
        .. _rig.AgentArgs(_data.Path, Device),
    ];

    private static bool Ready(HttpClient client)
    {
        try
        {
            return client.GetAsync(new Uri("/readyz", UriKind.Relative)).GetAwaiter().GetResult().IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<string> VersionAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>(new Uri("/v1/model", UriKind.Relative))).GetProperty("version").GetString()!;
}
