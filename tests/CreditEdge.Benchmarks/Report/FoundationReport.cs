using System.Globalization;
using System.Text;
using CreditEdge.Benchmarks.Http;
using CreditEdge.Benchmarks.Micro;

namespace CreditEdge.Benchmarks.Report;

/// <summary>Writes benchmarks/results/foundation.md: header, the side-by-side table, the 1.5× verdict and the HTTP runs.</summary>
public static class FoundationReport
{
    /// <summary>The goal: the in-process decision path costs at most this many times one raw ORT row.</summary>
    public const double GoalRatio = 1.5;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(MachineInfo machine, string loadAtEnd, string model, IReadOnlyDictionary<string, MicroResult>? micro, IReadOnlyList<LoadResult>? http, string? httpFailure)
    {
        var md = new StringBuilder();
        md.AppendLine("# Foundation benchmarks: raw ONNX Runtime, the in-process decision path, HTTP")
            .AppendLine()
            .AppendLine(Inv, $"Command (from the repository root): `{machine.Command}`")
            .AppendLine()
            .AppendLine(Inv, $"- Date (UTC): {machine.StartedUtc:yyyy-MM-dd HH:mm:ss}")
            .AppendLine(Inv, $"- Machine: nproc = {machine.Nproc}; CPU: {machine.Cpu}")
            .AppendLine(Inv, $"- OS: {machine.Os}")
            .AppendLine(Inv, $"- .NET: {machine.Dotnet}, {machine.Gc}; ONNX Runtime {machine.Ort}")
            .AppendLine(Inv, $"- Load average (1/5/15 min) at start: {machine.LoadAtStart}; at end: {loadAtEnd}. Other processes on the machine add noise.")
            .AppendLine(Inv, $"- Model: {model}")
            .AppendLine();
        AppendNoiseWarning(md, machine, micro);

        if (micro is not null)
        {
            AppendMicro(md, micro);
        }
        else
        {
            md.AppendLine("Micro benchmarks (raw ORT, decision path): not run (`http` only).").AppendLine();
        }

        if (http is not null)
        {
            AppendHttp(md, http);
        }
        else if (httpFailure is not null)
        {
            md.AppendLine(Inv, $"HTTP load: **failed**, no numbers: {httpFailure}").AppendLine();
        }
        else
        {
            md.AppendLine("HTTP load: not run (`micro` only).").AppendLine();
        }

        return md.ToString();
    }

    /// <summary>Says so when the numbers cannot be trusted: a busy machine, or a 22-row call measured faster than a 1-row call.</summary>
    private static void AppendNoiseWarning(StringBuilder md, MachineInfo machine, IReadOnlyDictionary<string, MicroResult>? micro)
    {
        var busy = double.TryParse(machine.LoadAtStart.Split(' ')[0], NumberStyles.Float, Inv, out var load)
            && int.TryParse(machine.Nproc, NumberStyles.None, Inv, out var cpus)
            && load > cpus;
        var inconsistent = micro is not null
            && micro[nameof(OrtBenchmarks.ScorerReasonBatch)].MedianNs < micro[nameof(OrtBenchmarks.ScorerOneRow)].MedianNs;
        if (busy || inconsistent)
        {
            md.AppendLine(Inv, $"> **Warning: noisy run.** {(busy ? $"The machine was busy (load {machine.LoadAtStart.Split(' ')[0]} on {machine.Nproc} CPUs). " : "")}"
                    + $"{(inconsistent ? "A 22-row ORT call measured faster than a 1-row call. " : "")}Treat the ratios below as rough; rerun on a quiet machine.")
                .AppendLine();
        }
    }

    private static void AppendMicro(StringBuilder md, IReadOnlyDictionary<string, MicroResult> micro)
    {
        var ort1 = micro[nameof(OrtBenchmarks.ScorerOneRow)];
        var session1 = micro[nameof(OrtBenchmarks.SessionOneRow)];
        var ort22 = micro[nameof(OrtBenchmarks.ScorerReasonBatch)];
        var full = micro[nameof(DecisionPathBenchmarks.FullPath)];
        var noReasons = micro[nameof(DecisionPathBenchmarks.NoReasons)];
        var engine = micro[nameof(DecisionPathBenchmarks.EngineOnly)];
        var reader = micro[nameof(DecisionPathBenchmarks.ReaderOnly)];
        var record = micro[nameof(DecisionPathBenchmarks.RecordOnly)];
        var ratio = full.MeanNs / ort1.MeanNs;
        var noReasonsRatio = noReasons.MeanNs / ort1.MeanNs;

        md.AppendLine("## Side by side (BenchmarkDotNet 0.15.8, in-process emit toolchain, MemoryDiagnoser)")
            .AppendLine()
            .AppendLine("| Measurement | Mean | Median | StdDev | Allocated / call | Mean × raw ORT row |")
            .AppendLine("|---|---:|---:|---:|---:|---:|");
        Row(md, "Raw ORT per row: `OnnxScorer.Predict`, 1 row (pooled OrtValues)", ort1, ort1);
        Row(md, "Raw ORT per row: bare `InferenceSession.Run`, OrtValues made once", session1, ort1);
        Row(md, "ORT 22-row batch (applicant + 21 reference rows, what the decision path scores)", ort22, ort1);
        Row(md, "**In-process decision path**: `ScoringService.Decide` (read JSON → 22-row score → policy → reasons → `Decision`)", full, ort1);
        Row(md, "Decision path variant without reasons (read JSON → 1-row score → policy → `Decision`)", noReasons, ort1);
        Row(md, "`DecisionEngine.Decide` alone (22-row score + policy + reasons)", engine, ort1);
        Row(md, "`ScoreRequestReader.TryRead` alone (golden body, UTF-8)", reader, ort1);
        Row(md, "Building the `Decision` alone (v7 id, clock, reasons and input arrays)", record, ort1);
        md.AppendLine()
            .AppendLine(Inv, $"**Ratio decision path / raw ORT per row: {ratio:0.00}×** (goal ≤ {GoalRatio:0.0}×).")
            .AppendLine()
            .AppendLine(Inv, $"Scorer wrapper versus a bare session: median {Time(ort1.MedianNs)} vs {Time(session1.MedianNs)} ({ort1.MedianNs / session1.MedianNs:0.00}×), {Bytes(ort1.AllocatedBytes)} vs {Bytes(session1.AllocatedBytes)} allocated: ")
            .AppendLine(ort1.MedianNs <= session1.MedianNs * 1.05 ? "the wrapper adds nothing measurable." : "the wrapper adds a measurable cost.")
            .AppendLine();

        var reasonExtra = ort22.MeanNs - ort1.MeanNs;
        var remainder = full.MeanNs - ort22.MeanNs - reader.MeanNs - record.MeanNs;
        md.AppendLine("## Goal: in-process path within 1.5× raw ORT")
            .AppendLine();
        if (ratio <= GoalRatio)
        {
            md.AppendLine(Inv, $"**Met.** The decision path takes {Time(full.MeanNs)}, {ratio:0.00}× one raw ORT row ({Time(ort1.MeanNs)}).");
        }
        else
        {
            // what the path spends beyond the one raw ORT row it cannot avoid, largest first
            var overhead = full.MeanNs - ort1.MeanNs;
            var parts = new (string Name, double Ns)[]
            {
                ("the 21 extra rows of the reason batch (22-row call − 1-row call)", reasonExtra),
                ("building the `Decision` (v7 id, clock, arrays)", record.MeanNs),
                ("reading and validating the JSON body", reader.MeanNs),
                ("policy, reason selection and the rest (full path − 22-row call − reader − record)", remainder),
            }.OrderByDescending(p => p.Ns).ToArray();
            md.AppendLine(Inv, $"**Not met.** The decision path takes {Time(full.MeanNs)}, {ratio:0.00}× one raw ORT row ({Time(ort1.MeanNs)}); the goal allows {Time(GoalRatio * ort1.MeanNs)}.")
                .AppendLine()
                .AppendLine(Inv, $"Beyond the raw row the path spends {Time(overhead)}. What dominates: {parts[0].Name}, {Time(parts[0].Ns)} = {Share(parts[0].Ns, overhead)} of that overhead. Split (means of separate benchmarks, so only roughly additive):")
                .AppendLine();
            foreach (var (name, ns) in parts)
            {
                md.AppendLine(Inv, $"- {name}: {Time(ns)} ({Share(ns, overhead)} of the overhead)");
            }

            md.AppendLine()
                .AppendLine(Inv, $"Without reasons (1-row call) the same path takes {Time(noReasons.MeanNs)} = {noReasonsRatio:0.00}× raw ORT: the goal is {(noReasonsRatio <= GoalRatio ? "met" : "not met")} for that variant.")
                .Append(Inv, $"The 22-row batch costs {ort22.MeanNs / ort1.MeanNs:0.0}× a 1-row call ({Time(ort22.MeanNs / 22)} per row): reasons are cheap per row, not per decision.");
        }

        md.AppendLine().AppendLine();
    }

    private static void AppendHttp(StringBuilder md, IReadOnlyList<LoadResult> http)
    {
        md.AppendLine("## HTTP `POST /v1/score` against the real agent")
            .AppendLine()
            .AppendLine("Release build, Kestrel in this process on 127.0.0.1, fresh temporary data directory: every 200 includes the durable")
            .AppendLine("LiteDB write (decision + outbox + audit link, fsync group commit). Bodies cycle through the 200 golden requests; no")
            .AppendLine("idempotency key, so every request is a new decision. **The load generator shares the 2 cores (and the process, thread")
            .AppendLine("pool and GC) with the agent**, so these numbers are a floor for a dedicated board, not a ceiling.")
            .AppendLine()
            .AppendLine("| Run | Target | Achieved | p50 | p90 | p99 | max | non-200 | requests | service p50 | mean send lag |")
            .AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in http)
        {
            var target = r.TargetRate is { } rate ? $"{rate} req/s" : $"{r.Connections} in flight";
            md.AppendLine(Inv, $"| {r.Label}, {r.Duration.TotalSeconds:0} s | {target} | {r.AchievedRate:0} req/s | {Ms(r.P50)} | {Ms(r.P90)} | {Ms(r.P99)} | {Ms(r.Max)} | {r.NonOk} | {r.Requests} | {Ms(r.ServiceP50)} | {(r.TargetRate is null ? "–" : Ms(r.MeanSendLag))} |");
        }

        md.AppendLine()
            .AppendLine("- Open loop: request *i* is due at start + *i*/rate and is sent then whether or not earlier requests have returned;")
            .AppendLine("  latency runs from that **scheduled** time (no coordinated omission). A warm-up at the same rate precedes each run and")
            .AppendLine("  is not counted. *service p50* runs from the actual send; *mean send lag* is how late the generator's 1 ms sleeps sent.")
            .AppendLine("- Closed loop: each of the connections sends its next request as soon as the previous one returns; achieved = maximum")
            .AppendLine("  throughput at that concurrency, latency from the send.")
            .AppendLine("- HttpClient over SocketsHttpHandler (HTTP/1.1, up to 512 pooled connections, 10 s request timeout).")
            .AppendLine();
    }

    private static void Row(StringBuilder md, string name, MicroResult result, MicroResult baseline) =>
        md.AppendLine(Inv, $"| {name} | {Time(result.MeanNs)} | {Time(result.MedianNs)} | {Time(result.StdDevNs)} | {Bytes(result.AllocatedBytes)} | {result.MeanNs / baseline.MeanNs:0.00}× |");

    private static string Time(double ns) => Math.Abs(ns) >= 1_000 ? string.Create(Inv, $"{ns / 1_000:0.00} µs") : string.Create(Inv, $"{ns:0} ns");

    private static string Bytes(long? bytes) => bytes is { } b ? string.Create(Inv, $"{b:N0} B") : "n/a";

    private static string Share(double part, double whole) => string.Create(Inv, $"{100 * part / whole:0}%");

    private static string Ms(TimeSpan t) => string.Create(Inv, $"{t.TotalMilliseconds:0.00} ms");
}
