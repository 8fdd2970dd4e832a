using CreditEdge.Messaging.Rollout;
using CreditEdge.Messaging.Transfer;
using CreditEdge.TestKit;

namespace CreditEdge.Agent.Tests.Rollout;

/// <summary>A transfer cut by an agent kill -9 or a broker restart resumes without fetching a finished chunk again (counted).</summary>
public sealed class RolloutResumeTests : IAsyncLifetime, IDisposable
{
    private const int ChunkSize = 16384;
    private readonly TempDirectory _data = new("ota-resume");
    private OtaRig _rig = null!;

    public async Task InitializeAsync() => _rig = await OtaRig.StartAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Transfer_AgentKilledHardMidway_RestartReusesEveryFinishedChunk()
    {
        var package = _rig.MakePackage("resume-kill", "5.0.0", 10);
        var withheld = new Dictionary<int, byte[]>();
        var pushed = await _rig.PushAsync(package, 8_000, chunkSize: ChunkSize, chunkBytes: (i, chunk) =>
        {
            if (i < 10)
            {
                return chunk;
            }

            withheld[i] = chunk; // published only after the kill
            return null;
        });
        var staging = Path.Combine(ChunkStaging.DirectoryFor(_data.Path, pushed.Desired.Package.Sha256), "chunks");
        var total = pushed.Desired.Package.Chunks.Count;

        await using (var first = AgentProcess.Start(null, Args("kiosk-resume")))
        {
            await Eventually.HoldsAsync(() => Directory.Exists(staging) && Directory.GetFiles(staging).Count(f => !f.EndsWith(".tmp", StringComparison.Ordinal)) == 10, TimeSpan.FromSeconds(60), "ten chunks staged");
            await first.KillHardAsync();
        }

        foreach (var (index, chunk) in withheld)
        {
            await _rig.PublishAsync(Messaging.Topics.PackageChunk(pushed.Desired.Package.Sha256, index), chunk);
        }

        await using var second = AgentProcess.Start(null, Args("kiosk-resume"));
        var downloaded = await _rig.WaitForEventAsync("kiosk-resume", pushed.Desired.Sequence, e => e.Event == ModelEvents.Downloaded, "downloaded");
        var outcome = await _rig.WaitForOutcomeAsync("kiosk-resume", pushed.Desired.Sequence);

        Assert.Equal((10, total - 10, total - 10), (downloaded.ChunksReused, downloaded.ChunksFetched, downloaded.ChunkDeliveries));
        Assert.True(outcome.Event == ModelEvents.Active, $"{outcome.Event} {outcome.Check} {outcome.Detail}");
    }

    [Fact]
    public async Task Transfer_BrokerRestartedMidway_ResumesAndFetchesEachChunkOnce()
    {
        var package = _rig.MakePackage("resume-broker", "5.1.0", 10);
        var withheld = new Dictionary<int, byte[]>();
        var pushed = await _rig.PushAsync(package, 9_000, chunkSize: ChunkSize, chunkBytes: (i, chunk) =>
        {
            if (i < 10)
            {
                return chunk;
            }

            withheld[i] = chunk;
            return null;
        });
        var staging = Path.Combine(ChunkStaging.DirectoryFor(_data.Path, pushed.Desired.Package.Sha256), "chunks");
        var total = pushed.Desired.Package.Chunks.Count;
        await using var agent = AgentProcess.Start(null, Args("kiosk-broker"));
        await Eventually.HoldsAsync(() => Directory.Exists(staging) && Directory.GetFiles(staging).Count(f => !f.EndsWith(".tmp", StringComparison.Ordinal)) == 10, TimeSpan.FromSeconds(60), "ten chunks staged");

        await _rig.Broker.StopAsync();
        await _rig.Broker.StartAsync(); // persistence keeps the retained desired model and chunks
        await _rig.ReconnectAsync();
        foreach (var (index, chunk) in withheld)
        {
            await _rig.PublishAsync(Messaging.Topics.PackageChunk(pushed.Desired.Package.Sha256, index), chunk);
        }

        var downloaded = await _rig.WaitForEventAsync("kiosk-broker", pushed.Desired.Sequence, e => e.Event == ModelEvents.Downloaded, "downloaded");
        var outcome = await _rig.WaitForOutcomeAsync("kiosk-broker", pushed.Desired.Sequence);

        Assert.Equal((0, total, total), (downloaded.ChunksReused, downloaded.ChunksFetched, downloaded.ChunkDeliveries));
        Assert.True(outcome.Event == ModelEvents.Active, $"{outcome.Event} {outcome.Check} {outcome.Detail}");
    }

    private string[] Args(string deviceId) =>
    [
        $"--DataDirectory={_data.Path}",
        $"--Api:Urls=http://127.0.0.1:{LoopbackPort.Free()}",
        "--Logging:LogLevel:Default=Warning",
        .. _rig.AgentArgs(_data.Path, deviceId, "--Transfer:ChunkTimeout=00:00:01"),
    ];
}
