using System.Text.Json;
using CreditEdge.TestKit;
using Xunit.Abstractions;

namespace CreditEdge.Cli.Tests;

/// <summary>
/// <c>cedge fleet ingest</c> as a real process against a real Mosquitto and a real device outbox: broker restarts and its
/// own SIGKILL leave the file with every decision exactly once.
/// </summary>
public sealed class FleetIngestRecoveryTests(ITestOutputHelper log) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new("fleet-ingest");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public Task FleetIngest_BrokerStoppedAndRestartedMidStream_WritesEveryDecisionOnce() =>
        BrokerOutageMidStreamAsync(brokerConfig: null, broker => broker.StopAsync());

    [Fact]
    public Task FleetIngest_BrokerKilledHardAndRestartedMidStream_NoDuplicatesAndEverythingTheBrokerStillHeldArrives() =>
        // Mosquitto acknowledges a publish before it saves it (it saves the whole store on a timer or after N changes,
        // never per message): a SIGKILL can lose a decision the device already saw acknowledged. The fixture saves on
        // every change to keep that window small; what falls in it is counted and logged, not hidden. The device still
        // holds every decision (its store); the office-side acknowledgement that closes this window is issue 13's.
        BrokerOutageMidStreamAsync("autosave_on_changes true\nautosave_interval 1", broker => broker.KillAsync(), brokerMayLoseAcknowledged: true);

    [Fact]
    public async Task FleetIngest_KilledHardMidStreamAndRestarted_WritesEveryDecisionOnce()
    {
        const int Count = 4000;
        await using var broker = await MosquittoBroker.StartNewAsync();
        var file = _dir.Combine("decisions.jsonl");
        string[] ingestArgs = ["fleet", "ingest", "--broker", broker.Url, "--out", file, "--client-id", "office-kill"];
        Assert.Equal(0, Cedge.Run([.. ingestArgs, "--duration", "00:00:01"]).ExitCode); // the office's session exists; then ingest is away

        // the device's decisions queue up in the session; ingest gets them in one burst, far faster than it can fsync lines
        await using var kiosk = new KioskDevice(broker.Url, "kiosk-1");
        await kiosk.DecideAsync(Count);
        await kiosk.StartAsync();
        await Eventually.HoldsAsync(() => kiosk.OutboxDepth == 0, Patience, "the broker to hold every decision");

        int linesAtKill;
        await using (var first = CedgeProcess.Start(ingestArgs))
        {
            await Eventually.HoldsAsync(() => LineCount(file) >= Count / 8, Patience, "ingest to be writing the burst");
            await first.KillHardAsync();
            linesAtKill = LineCount(file);
        }

        await using var second = CedgeProcess.Start([.. ingestArgs, "--until-count", $"{Count}", "--duration", "00:01:00"]);
        var (exitCode, output) = await second.WaitForExitAsync(TimeSpan.FromSeconds(90));

        var ids = IdsIn(file);
        log.WriteLine($"sent {kiosk.DecisionIds.Count}; lines at SIGKILL {linesAtKill}; after restart: {ids.Length} lines, {ids.Distinct().Count()} distinct; {output.Trim()}");
        Assert.Equal(0, exitCode);
        Assert.InRange(linesAtKill, 1, Count - 1); // killed mid-stream
        Assert.Equal(ids.Length, ids.Distinct().Count()); // no decision twice
        Assert.Equal(kiosk.DecisionIds.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal)); // none missing
    }

    [Fact]
    public async Task FleetIngest_FileEndsInTornLine_CutAndRedeliveredDecisionWrittenOnce()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        var file = _dir.Combine("decisions.jsonl");
        // a crash mid-write left d2 torn; it was never acknowledged, so the session still holds it
        await File.WriteAllTextAsync(file, "{\"decisionId\":\"d1\",\"score\":600}\n{\"decisionId\":\"d2\",\"sco");
        await (await MqttProbe.ConnectAsync(broker.Port, "office-torn", cleanStart: false, subscribe: "creditedge/devices/+/decisions")).DisposeAsync();
        await using (var device = await MqttProbe.ConnectAsync(broker.Port, "kiosk-1"))
        {
            await device.PublishAsync("creditedge/devices/kiosk-1/decisions", "{\"decisionId\":\"d2\",\"score\":610}");
        }

        var result = Cedge.Run("fleet", "ingest", "--broker", broker.Url, "--out", file, "--client-id", "office-torn", "--until-count", "2", "--duration", "00:00:30");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("torn line", result.Error, StringComparison.Ordinal);
        Assert.Equal(["d1", "d2"], IdsIn(file));
        Assert.Contains("2 unique decisions, 0 duplicates dropped", result.Output, StringComparison.Ordinal);
    }

    private async Task BrokerOutageMidStreamAsync(string? brokerConfig, Func<MosquittoBroker, Task> stopBroker, bool brokerMayLoseAcknowledged = false)
    {
        const int Burst = 1500;
        const int Later = 300;
        await using var broker = await MosquittoBroker.StartNewAsync(brokerConfig);
        var file = _dir.Combine("decisions.jsonl");
        await using var ingest = CedgeProcess.Start("fleet", "ingest", "--broker", broker.Url, "--out", file, "--client-id", "office-restart",
            "--until-count", $"{Burst + 2 * Later}", "--duration", "00:01:30");
        await ingest.WaitForErrorLineAsync("Link up", Patience);
        await using var kiosk = new KioskDevice(broker.Url, "kiosk-1");
        await kiosk.DecideAsync(Burst); // in the outbox: one burst, queued and in flight at the broker for ingest
        await kiosk.StartAsync();

        await Eventually.HoldsAsync(() => LineCount(file) >= Burst / 10, Patience, "the stream to reach the file");
        await stopBroker(broker);
        var linesAtStop = LineCount(file);
        await kiosk.DecideAsync(Later); // decided while the broker is down
        await broker.StartAsync();
        await kiosk.DecideAsync(Later); // and after it is back

        var sentBeforeRestart = kiosk.DecisionIds.Count - Later;
        var (exitCode, output) = await ingest.WaitForExitAsync(TimeSpan.FromSeconds(brokerMayLoseAcknowledged ? 100 : 120));
        var ids = IdsIn(file);
        log.WriteLine($"sent {kiosk.DecisionIds.Count}; lines when the broker went down {linesAtStop}; written {ids.Length} lines, {ids.Distinct().Count()} distinct; {output.Trim()}");
        log.WriteLine(string.Join(Environment.NewLine, ingest.ErrorLines));
        Assert.InRange(linesAtStop, 1, Burst - 1); // the broker went down mid-stream
        Assert.True(ingest.HasErrorLine("Link down"), "ingest saw the broker go away");
        Assert.Equal(ids.Length, ids.Distinct().Count()); // no decision twice
        if (!brokerMayLoseAcknowledged)
        {
            Assert.Equal(0, exitCode);
            Assert.Equal(kiosk.DecisionIds.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal)); // none missing
            return;
        }

        var missing = kiosk.DecisionIds.Except(ids, StringComparer.Ordinal).ToList();
        log.WriteLine($"lost by the SIGKILLed broker before it saved them: {missing.Count} ({string.Join(", ", missing)})");
        Assert.Subset(kiosk.DecisionIds.ToHashSet(StringComparer.Ordinal), ids.ToHashSet(StringComparer.Ordinal)); // nothing made up
        Assert.All(kiosk.DecisionIds.Skip(sentBeforeRestart), id => Assert.Contains(id, ids)); // all decided after the restart
        Assert.All(missing, id => Assert.True(kiosk.DecisionIds.ToList().IndexOf(id) < sentBeforeRestart, $"{id} was decided after the restart and is missing"));
    }

    /// <summary>Complete lines so far, read beside the running writer.</summary>
    private static int LineCount(string file)
    {
        if (!File.Exists(file))
        {
            return 0;
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var count = 0;
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            count += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        return count;
    }

    private static string[] IdsIn(string file) =>
        File.ReadAllLines(file).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("decisionId").GetString()!).ToArray();
}
