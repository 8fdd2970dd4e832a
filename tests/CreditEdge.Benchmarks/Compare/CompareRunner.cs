using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CreditEdge.Benchmarks.Http;
using CreditEdge.Benchmarks.Micro;
using CreditEdge.Benchmarks.Report;
using CreditEdge.TestKit;

namespace CreditEdge.Benchmarks.Compare;

/// <summary>
/// The agent-vs-Node comparison (issue 11): both servers as separate processes on loopback, fed the 200 golden applicants.
/// Order: parity check (fails the run on any mismatch) → raw ORT and in-process micro benchmarks → cold starts → per
/// server and durability mode: a warm-up, closed loops at 1/16/64 connections, fixed rates (durable only), optional
/// profiles, topping up to the decision count for memory and storage → report and chart.
/// </summary>
public static class CompareRunner
{
    public static readonly int[] Clients = [1, 16, 64];
    public static readonly int[] Rates = [50, 500];

    /// <summary>The micro benchmarks the comparison quotes: raw ORT on 1 and 22 rows, and the whole in-process path.</summary>
    private static readonly string[] MicroMethods =
        [nameof(OrtBenchmarks.ScorerOneRow), nameof(OrtBenchmarks.ScorerReasonBatch), nameof(DecisionPathBenchmarks.FullPath)];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        CompareArgs options;
        try
        {
            options = CompareArgs.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(CompareArgs.Usage);
            return 2;
        }

        var started = Stopwatch.GetTimestamp();
        var machine = MachineInfo.Collect(args, TimeProvider.System) with
        {
            Command = "benchmarks/compare.sh" + string.Concat(args.Skip(1).Select(a => " " + a)),
        };
        var results = new ComparisonResults
        {
            Options = options,
            Machine = machine,
            CpuFlags = CpuFlags(),
            NodeVersion = Run("node", "--version"),
        };

        var work = Directory.CreateTempSubdirectory("creditedge-compare-").FullName;
        try
        {
            await MeasureAsync(options, results, work, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
        {
            // a parity mismatch, a server that would not start or broke under load, a missing tool: no report from half a run
            Console.Error.WriteLine($"compare: {ex.Message}");
            Console.Error.WriteLine($"compare: no report written; server logs kept in {work}");
            return 1;
        }

        Directory.Delete(work, recursive: true);
        results.LoadAtEnd = MachineInfo.LoadAverage();
        results.Elapsed = Stopwatch.GetElapsedTime(started);
        Directory.CreateDirectory(options.OutputDirectory);
        ComparisonChart.Write(results, options.ChartFile);
        var report = ComparisonReport.Render(results);
        await File.WriteAllTextAsync(options.ReportFile, report, new UTF8Encoding(false), cancellationToken);
        Console.WriteLine(report);
        Console.WriteLine($"report written to {options.ReportFile}, chart to {options.ChartFile}");
        return 0;
    }

    private static async Task MeasureAsync(CompareArgs options, ComparisonResults results, string work, CancellationToken cancellationToken)
    {
        var bodiesFile = Path.Combine(work, "bodies.jsonl");
        await File.WriteAllLinesAsync(bodiesFile, GoldenBodies.All.Select(b => Encoding.UTF8.GetString(b)), cancellationToken);
        var context = new RunContext(options, work, bodiesFile, Path.Combine(Repo.Root, "benchmarks", "wrk", "score.lua"));

        Step("parity: the Node peer against the agent on every golden applicant");
        results.ParityApplicants = await CheckParityAsync(context, cancellationToken);

        Step("micro: raw ORT and the in-process decision path (BenchmarkDotNet, short job)");
        try
        {
            results.Micro = options.Quick
                ? MicroRunner.Run(warmupCount: 1, iterationCount: 3, methods: MicroMethods)
                : MicroRunner.Run(warmupCount: 2, iterationCount: 6, methods: MicroMethods);
        }
        catch (InvalidOperationException ex)
        {
            results.MicroFailure = ex.Message;
        }

        Step($"cold starts: {options.StartRounds} per server");
        await MeasureStartsAsync(context, results, cancellationToken);
        Run("sync");

        foreach (var durable in new[] { true, false })
        {
            foreach (var kind in new[] { ServerKind.Agent, ServerKind.Peer })
            {
                Step($"{kind}, {(durable ? "durable" : "non-durable")}");
                results.Servers.Add(await MeasureServerAsync(context, kind, durable, results, cancellationToken));
            }
        }
    }

    private static async Task<int> CheckParityAsync(RunContext context, CancellationToken cancellationToken)
    {
        await using var agent = await context.StartAsync(ServerKind.Agent, durable: true, cancellationToken);
        await using var peer = await context.StartAsync(ServerKind.Peer, durable: true, cancellationToken);
        var expected = File.ReadLines(Path.Combine(Repo.DefaultModel, "golden.jsonl"))
            .Where(line => line.Length > 0)
            .Select(line => JsonNode.Parse(line)!["expected"]!["fp32"]!.GetValue<double>())
            .ToArray();
        var count = await ParityCheck.RunAsync(agent.BaseAddress, peer.BaseAddress, GoldenBodies.All, expected, cancellationToken);
        Console.WriteLine($"  {count} golden applicants: same probability (±{ParityCheck.Tolerance}), score, outcome and reason codes");
        return count;
    }

    private static async Task MeasureStartsAsync(RunContext context, ComparisonResults results, CancellationToken cancellationToken)
    {
        var kinds = new[] { ServerKind.Agent, ServerKind.Peer, ServerKind.Hello };
        for (var round = 0; round < context.Options.StartRounds; round++)
        {
            // rotate the order so no server always starts right after another one stopped
            foreach (var kind in kinds.Skip(round % kinds.Length).Concat(kinds.Take(round % kinds.Length)))
            {
                await using var server = await context.StartAsync(kind, durable: true, cancellationToken);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken); // idle: let start-up work settle
                var sample = new StartSample(kind, server.StartToReady, server.ResidentBytes(), server.PrivateResidentBytes());
                results.Starts.Add(sample);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind}: ready in {sample.StartToReady.TotalMilliseconds:0} ms, idle RSS {sample.IdleRssBytes / 1048576.0:0.0} MiB"));
            }
        }
    }

    private static async Task<ServerResults> MeasureServerAsync(RunContext context, ServerKind kind, bool durable, ComparisonResults all, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var result = new ServerResults(kind, durable);
        var server = await context.StartAsync(kind, durable, cancellationToken);
        try
        {
            // the same warm-up for every server and mode before anything is measured (the agent's tiered JIT and the
            // peer's V8 both need one; with unequal warm-ups the agent's two modes differed far more than their code does)
            await context.WrkAsync(server, 16, options.Warmup, cancellationToken);
            for (var round = 0; round < options.EffectiveRounds; round++)
            {
                foreach (var clients in Clients)
                {
                    var run = await context.WrkAsync(server, clients, options.ClosedDuration, cancellationToken);
                    result.Closed.Add(run);
                    Console.WriteLine($"  {run}");
                }
            }

            if (durable)
            {
                using var client = LoadGenerator.CreateClient(server.BaseAddress);
                var generator = new LoadGenerator(client, GoldenBodies.All);
                for (var round = 0; round < options.EffectiveRounds; round++)
                {
                    foreach (var rate in Rates)
                    {
                        var run = await generator.OpenLoopAsync(rate, options.RateWarmup, options.RateDuration, cancellationToken);
                        result.FixedRates.Add(run);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {rate} req/s: p50 {run.P50.TotalMilliseconds:0.00} ms, p99 {run.P99.TotalMilliseconds:0.00} ms, max {run.Max.TotalMilliseconds:0.0} ms, non-200 {run.NonOk}"));
                    }
                }
            }

            if (options.Profile && kind == ServerKind.Agent && durable)
            {
                await Profiles.RecordAsync(context, server, all.ProfileNotes, cancellationToken);
            }

            if (durable)
            {
                // top up to the decision count for memory and storage, counted by the server itself
                var stored = await StoredDecisionsAsync(kind, server, cancellationToken);
                while (stored < options.DecisionsForMemory)
                {
                    var rate = Math.Max(100, result.ClosedAt(64).Select(r => r.RequestsPerSecond).DefaultIfEmpty(1000).Max());
                    var seconds = Math.Clamp(((options.DecisionsForMemory - stored) / rate) + 1, 1, 120);
                    var run = await context.WrkAsync(server, 64, TimeSpan.FromSeconds(seconds), cancellationToken);
                    var before = stored;
                    stored = await StoredDecisionsAsync(kind, server, cancellationToken);
                    if (stored <= before)
                    {
                        throw new InvalidOperationException($"{server.Launch.Name} made no decisions while being loaded to {options.DecisionsForMemory:N0} ({run}); see {server.LogFile}");
                    }
                }
            }

            result.RssAfterBytes = server.ResidentBytes();
            result.PrivateRssAfterBytes = server.PrivateResidentBytes();
            result.Decisions = await StoredDecisionsAsync(kind, server, cancellationToken);
        }
        finally
        {
            await server.DisposeAsync(); // SIGTERM: the agent checkpoints LiteDB and closes its files
        }

        RunContext.MeasureStorage(kind, server, result);
        RunContext.Discard(server); // the next server must not pay for this one's unwritten pages in its own fsyncs
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  after {result.Decisions} decisions: RSS {result.RssAfterBytes / 1048576.0:0.0} MiB, {result.StoredBytes / (double)Math.Max(1, result.Decisions):0} bytes per decision ({result.StorageDetail})"));
        return result;
    }

    /// <summary>
    /// Decisions a server has made so far: the agent's own count (the sum of <c>creditedge_decisions_total</c> over
    /// outcomes), the lines of the peer's decision file.
    /// </summary>
    private static async Task<long> StoredDecisionsAsync(ServerKind kind, ServerProcess server, CancellationToken cancellationToken)
    {
        if (kind != ServerKind.Agent)
        {
            return RunContext.PeerDecisions(server);
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var text = await client.GetStringAsync(new Uri(server.BaseAddress, "/metrics"), cancellationToken);
        return text.Split('\n')
            .Where(line => line.StartsWith("creditedge_decisions_total{", StringComparison.Ordinal))
            .Sum(line => long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    private static void Step(string what) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {what}");

    /// <summary>The CPU flags that matter for ORT's kernels.</summary>
    private static string CpuFlags()
    {
        var flags = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal))?.Split(':', 2)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? []
            : [];
        var wanted = new[] { "avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8" };
        var present = wanted.Where(flags.Contains).ToArray();
        var vnni = present.Any(f => f.Contains("vnni", StringComparison.Ordinal)) ? "VNNI yes" : "VNNI no";
        return $"{string.Join(' ', present)} ({vnni})";
    }

    internal static string Run(string file, params string[] args)
    {
        try
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            using var process = Process.Start(info)!;
            var text = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return $"({file} not found)";
        }
    }
}
