using System.Diagnostics;
using System.Globalization;
using System.Text;
using CreditEdge.Benchmarks.Report;
using CreditEdge.Messaging;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CreditEdge.Benchmarks.Outbox;

/// <summary>
/// Outbox drain rate to a real Mosquitto (decisions/s from a full outbox to empty: QoS 1 publish, PUBACK, delete)
/// beside <c>mosquitto_pub</c>'s QoS 1 rate on the same broker with payloads of the same size.
/// Writes <c>benchmarks/results/outbox.md</c>.
/// </summary>
public static class OutboxBenchmark
{
    public const string Command = "dotnet run -c Release --project tests/CreditEdge.Benchmarks -- outbox";

    public static async Task<int> RunAsync(int count)
    {
        var machine = MachineInfo.Collect(["outbox"], TimeProvider.System);
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await MqttProbe.ConnectAsync(broker.Port, "office", subscribe: "#");

        var payload = Encoding.UTF8.GetString(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(SampleDecisions.Create(1), Core.Decisions.DecisionJson.Default.Decision));
        var rows = new List<(string What, int Count, TimeSpan Elapsed)>();
        foreach (var inFlight in new[] { 64, 16, 1 })
        {
            rows.Add(($"CreditEdge outbox drain, MaxInFlight {inFlight}, batch 256", count, await DrainAsync(broker, count, inFlight)));
        }

        rows.Add(("`mosquitto_pub -q 1 -l` (one connection, lines from stdin)", count, await MosquittoPubAsync(broker, count, payload)));

        var text = new StringBuilder();
        text.AppendLine("# Outbox drain rate vs `mosquitto_pub`");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command (from the repository root): `{Command}`");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Date (UTC): {machine.StartedUtc:yyyy-MM-dd HH:mm:ss}; nproc {machine.Nproc}; CPU {machine.Cpu}; {machine.Os}; {machine.Dotnet}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Load average at start: {machine.LoadAtStart}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Load average at end: {MachineInfo.LoadAverage()}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Broker: Mosquitto (Debian 2.0.11) on 127.0.0.1, persistence on, a subscriber on `#` so every message is delivered too.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Payload: a decision's canonical JSON, {Encoding.UTF8.GetByteCount(payload)} bytes; {count} messages per run, QoS 1.");
        text.AppendLine("- Outbox drain: a real encrypted LiteDB store pre-filled with the decisions; timed from the link's connect until the outbox is empty (every record published, PUBACKed and deleted).");
        text.AppendLine();
        text.AppendLine("| run | messages | seconds | messages/s |");
        text.AppendLine("|---|---:|---:|---:|");
        foreach (var (what, n, elapsed) in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {n} | {elapsed.TotalSeconds:F2} | {n / elapsed.TotalSeconds:F0} |");
        }

        var path = Path.Combine(Repo.Root, "benchmarks", "results", "outbox.md");
        await File.WriteAllTextAsync(path, text.ToString(), new UTF8Encoding(false));
        Console.WriteLine(text);
        Console.WriteLine($"report written to {path}");
        return 0;
    }

    private static async Task<TimeSpan> DrainAsync(MosquittoBroker broker, int count, int inFlight)
    {
        using var data = new TempDirectory("outbox-bench");
        using var store = LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = data.Path }, NullLogger.Instance);
        var offset = inFlight * 1_000_000;
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => store.SaveAsync(SampleDecisions.Create(offset + i), CancellationToken.None)));

        var options = Options.Create(new FleetLinkOptions { Broker = broker.Url, MaxInFlight = inFlight, PublishBatchSize = 256, ReconnectMinDelay = TimeSpan.FromMilliseconds(50) });
        var deviceId = $"bench-{inFlight}";
        using var link = new FleetLink(options, new DeviceIdentity(deviceId, "default"), new BenchStatus(deviceId), TimeProvider.System, NullLogger<FleetLink>.Instance);
        using var pump = new OutboxPump(link, store, options, TimeProvider.System, NullLogger<OutboxPump>.Instance);
        using var stop = new CancellationTokenSource();
        await link.StartAsync(stop.Token);
        await link.WaitConnectedAsync(stop.Token);
        var watch = Stopwatch.StartNew();
        await pump.StartAsync(stop.Token);
        await Eventually.HoldsAsync(() => store.Depth == 0, TimeSpan.FromMinutes(5), "an empty outbox");
        watch.Stop();
        await pump.StopAsync(CancellationToken.None);
        await link.StopAsync(CancellationToken.None);
        return watch.Elapsed;
    }

    private static async Task<TimeSpan> MosquittoPubAsync(MosquittoBroker broker, int count, string payload)
    {
        var start = new ProcessStartInfo("mosquitto_pub") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-h", "127.0.0.1", "-p", broker.Port.ToString(CultureInfo.InvariantCulture), "-q", "1", "-V", "mqttv5", "-t", "bench/mosquitto_pub", "-l" })
        {
            start.ArgumentList.Add(arg);
        }

        var input = string.Join('\n', Enumerable.Repeat(payload, count)) + "\n";
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        watch.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"mosquitto_pub exited {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
        }

        return watch.Elapsed;
    }

    private sealed class BenchStatus(string deviceId) : IDeviceStatusSource
    {
        public DeviceStatus Online() => new("online", deviceId, "bench", null, null, null, 0, DateTimeOffset.UtcNow);
    }
}
