using CreditEdge.TestKit;

namespace CreditEdge.Cli.Tests;

public sealed class FleetCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("fleet-cli");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task FleetIngest_DuplicatesFromResends_WritesEachDecisionOnceAcrossRuns()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        var file = _dir.Combine("decisions.jsonl");
        await using var device = await MqttProbe.ConnectAsync(broker.Port, "kiosk-1");

        var firstRun = Task.Run(() => Cedge.Run("fleet", "ingest", "--broker", broker.Url, "--out", file, "--client-id", "office-test", "--until-count", "3", "--duration", "00:00:30"));
        await Eventually.HoldsAsync(() => File.Exists(file), TimeSpan.FromSeconds(10), "the consumer to start");
        await Task.Delay(500);
        foreach (var id in new[] { "d1", "d2", "d1", "d3" })
        {
            await device.PublishAsync("creditedge/devices/kiosk-1/decisions", $"{{\"decisionId\":\"{id}\",\"score\":600}}");
        }

        var first = await firstRun;
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(["d1", "d2", "d3"], IdsIn(file));

        // the device re-sends d2 after a crash, and d4 is new: a second run keeps the file exactly-once
        await device.PublishAsync("creditedge/devices/kiosk-1/decisions", "{\"decisionId\":\"d2\",\"score\":600}");
        await device.PublishAsync("creditedge/devices/kiosk-1/decisions", "{\"decisionId\":\"d4\",\"score\":610}");
        var second = Cedge.Run("fleet", "ingest", "--broker", broker.Url, "--out", file, "--client-id", "office-test", "--until-count", "4", "--duration", "00:00:30");

        Assert.Equal(0, second.ExitCode);
        Assert.Equal(["d1", "d2", "d3", "d4"], IdsIn(file));
        Assert.Contains("4 unique decisions, 1 duplicates dropped", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FleetStatus_RetainedStatusAndTelemetry_ShowsEachDevice()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await MqttProbe.ConnectAsync(broker.Port, "seed");
        await office.PublishAsync("creditedge/devices/kiosk-7/status", "{\"state\":\"online\",\"deviceId\":\"kiosk-7\",\"modelId\":\"taiwan-credit\",\"modelVersion\":\"1.0.0\",\"variant\":\"int8\"}", retain: true);
        await office.PublishAsync("creditedge/devices/kiosk-7/telemetry", "{\"deviceId\":\"kiosk-7\",\"outboxDepth\":12,\"decisions\":{\"approve\":3,\"refer\":1,\"decline\":1},\"at\":\"2026-11-30T08:00:00Z\"}", retain: true);
        await office.PublishAsync("creditedge/devices/kiosk-8/status", "{\"state\":\"offline\",\"deviceId\":\"kiosk-8\",\"modelId\":\"taiwan-credit\",\"modelVersion\":\"1.0.0\",\"rollout\":{\"state\":\"rolled-back\",\"sequence\":9,\"desiredModelId\":\"taiwan-credit\",\"desiredVersion\":\"1.2.0\",\"check\":\"probation-psi\"}}", retain: true);

        var result = Cedge.Run("fleet", "status", "--broker", broker.Url, "--listen", "00:00:01");

        Assert.Equal(0, result.ExitCode);
        var kiosk7 = Assert.Single(result.OutputLines, l => l.StartsWith("kiosk-7", StringComparison.Ordinal));
        Assert.Contains("online", kiosk7, StringComparison.Ordinal);
        Assert.Contains("taiwan-credit@1.0.0", kiosk7, StringComparison.Ordinal);
        Assert.Contains(" 12 ", kiosk7, StringComparison.Ordinal);
        Assert.Contains(" 5 ", kiosk7, StringComparison.Ordinal);
        var kiosk8 = Assert.Single(result.OutputLines, l => l.StartsWith("kiosk-8", StringComparison.Ordinal));
        Assert.Contains("offline", kiosk8, StringComparison.Ordinal);
        Assert.Contains("taiwan-credit@1.2.0".PadRight(24) + " rolled-back (probation-psi)", kiosk8, StringComparison.Ordinal); // DESIRED, ROLLOUT
        Assert.Contains("int8".PadRight(7) + " " + "-".PadRight(24) + " " + "-".PadRight(28), kiosk7, StringComparison.Ordinal); // no update yet
        Assert.Contains("2 device(s)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FleetStatus_BrokerDownAtStart_RetriesAndShowsDevicesWhenItComes()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using (var seed = await MqttProbe.ConnectAsync(broker.Port, "seed"))
        {
            await seed.PublishAsync("creditedge/devices/kiosk-7/status", "{\"state\":\"online\",\"deviceId\":\"kiosk-7\"}", retain: true);
        }

        await broker.StopAsync(); // the retained status is saved; the broker comes back after cedge has started
        var run = Task.Run(() => Cedge.Run("fleet", "status", "--broker", broker.Url, "--listen", "00:00:01", "--connect-timeout", "00:00:30"));
        await Task.Delay(2000);
        Assert.False(run.IsCompleted, "fleet status gave up while the broker was down");
        await broker.StartAsync();
        var result = await run;

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.OutputLines, l => l.StartsWith("kiosk-7", StringComparison.Ordinal) && l.Contains("online", StringComparison.Ordinal));
        Assert.Contains("Connecting to", result.Error, StringComparison.Ordinal); // it said it was retrying
    }

    [Fact]
    public async Task FleetStatus_BrokerRestartedWhileListening_ReconnectsAndShowsStatusPublishedAfter()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using (var seed = await MqttProbe.ConnectAsync(broker.Port, "seed"))
        {
            await seed.PublishAsync("creditedge/devices/kiosk-7/status", "{\"state\":\"online\",\"deviceId\":\"kiosk-7\"}", retain: true);
        }

        var run = Task.Run(() => Cedge.Run("fleet", "status", "--broker", broker.Url, "--listen", "00:00:12"));
        await Task.Delay(2000); // connected and listening
        await broker.StopAsync();
        await broker.StartAsync();
        await using (var seed = await MqttProbe.ConnectAsync(broker.Port, "seed"))
        {
            await seed.PublishAsync("creditedge/devices/kiosk-9/status", "{\"state\":\"online\",\"deviceId\":\"kiosk-9\"}", retain: true);
        }

        var result = await run;

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.OutputLines, l => l.StartsWith("kiosk-7", StringComparison.Ordinal));
        Assert.Contains(result.OutputLines, l => l.StartsWith("kiosk-9", StringComparison.Ordinal)); // only a reconnected client sees it
        Assert.Contains("Link down", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FleetStatus_BrokerNeverComes_FailsWithOneLineAfterRetrying()
    {
        await using var broker = MosquittoBroker.CreateStopped();

        var result = await Task.Run(() => Cedge.Run("fleet", "status", "--broker", broker.Url, "--connect-timeout", "00:00:05"));

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"cedge: could not connect to mqtt://127.0.0.1:{broker.Port} within 00:00:05 (", line, StringComparison.Ordinal);
        var failed = int.Parse(line.Split('(')[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(failed >= 2, $"the policy retried: {line}");
    }

    [Fact]
    public void FleetIngest_ClientIdWithTopicCharacters_UsageErrorOnOneLine()
    {
        var result = Cedge.Run("fleet", "ingest", "--broker", "mqtt://127.0.0.1:1", "--out", _dir.Combine("x.jsonl"), "--client-id", "office/+");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--client-id must be", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void FleetStatus_BadBrokerUrl_UsageErrorOnOneLine()
    {
        var result = Cedge.Run("fleet", "status", "--broker", "http://example");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("mqtt://host:port", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    private static string[] IdsIn(string file) =>
        File.ReadAllLines(file).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("decisionId").GetString()!).ToArray();
}
