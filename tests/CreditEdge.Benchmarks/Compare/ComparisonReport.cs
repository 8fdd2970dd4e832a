using System.Globalization;
using System.Text;
using CreditEdge.Benchmarks.Micro;

namespace CreditEdge.Benchmarks.Compare;

/// <summary>
/// Writes benchmarks/results/comparison.md: machine, the closed-loop tables (clients × agent/peer × durable/non-durable),
/// fixed rates, start to ready, memory, bytes per decision, raw ORT and the in-process path, and where each goal of
/// issue 11 stands. Every number is median (min–max) over the rounds it names.
/// </summary>
public static class ComparisonReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(ComparisonResults r)
    {
        var o = r.Options;
        var md = new StringBuilder();
        md.AppendLine(o.Quick ? "# Agent vs Node.js peer — QUICK TRIAL (noisy, not results)" : "# Agent vs Node.js peer (issue 11)").AppendLine();
        if (o.Quick)
        {
            md.AppendLine("> **Noisy trial.** `--quick`: one round of short runs, made to prove the harness works, on a machine shared with")
                .AppendLine("> other builds and tests. Do not quote these numbers; run `benchmarks/compare.sh` on a quiet machine.")
                .AppendLine();
        }

        var m = r.Machine;
        md.AppendLine(Inv, $"Command (from the repository root): `{m.Command}` — took {r.Elapsed.TotalMinutes:0.0} min")
            .AppendLine()
            .AppendLine(Inv, $"- Date (UTC): {m.StartedUtc:yyyy-MM-dd HH:mm:ss}")
            .AppendLine(Inv, $"- Machine: nproc = {m.Nproc}; CPU: {m.Cpu}; flags: {r.CpuFlags}")
            .AppendLine(Inv, $"- OS: {m.Os}")
            .AppendLine(Inv, $"- Agent: {AgentBuild(r.Options.AgentDll)}, {m.Dotnet}, ONNX Runtime {m.Ort}, `--Models:Variant=fp32` (the peer's model file), fresh data directory")
            .AppendLine(Inv, $"- Node peer (`tests/node-peer`): Node {r.NodeVersion}, fastify 5.12.8, onnxruntime-node 1.30.0, 1 intra-op thread")
            .AppendLine(Inv, $"- Load average (1/5/15 min) at start: {m.LoadAtStart}; at end: {r.LoadAtEnd}. Anything else running on the machine is noise in these numbers.")
            .AppendLine(Inv, $"- Parity: before measuring, both servers scored all {r.ParityApplicants} golden applicants of models/default with the same probability (±1e-6, and equal to golden fp32), score, outcome and reason codes.")
            .AppendLine()
            .AppendLine(Inv, $"Method: each server is its own process on 127.0.0.1. Closed loop: Debian's `wrk` (`benchmarks/wrk/score.lua` cycling the 200 golden bodies, ≤ 2 threads), {o.ClosedDuration.TotalSeconds:0} s per run after a warm-up, {o.EffectiveRounds} round(s). Fixed rates: the .NET open-loop generator (`tests/CreditEdge.Benchmarks/Http/LoadGenerator.cs`), latency from each request's scheduled send, {o.RateDuration.TotalSeconds:0} s after {o.RateWarmup.TotalSeconds:0} s at the same rate, {o.EffectiveRounds} round(s). Cells are median (min–max) over rounds; p50/p99 in ms.")
            .AppendLine();

        AppendClosed(md, r, durable: true);
        AppendClosed(md, r, durable: false);
        AppendRates(md, r);
        AppendStarts(md, r);
        AppendMemoryAndStorage(md, r);
        AppendMicro(md, r);
        AppendGoals(md, r);
        AppendProfiles(md, r);
        return md.ToString();
    }

    private static void AppendClosed(StringBuilder md, ComparisonResults r, bool durable)
    {
        var agent = r.Find(ServerKind.Agent, durable);
        var peer = r.Find(ServerKind.Peer, durable);
        if (agent is null || peer is null)
        {
            return;
        }

        md.AppendLine(Inv, $"## Closed loop, {(durable ? "durable (fsync before the answer)" : "non-durable (agent `--Storage:Durable=false`, peer `--durable=false`)")}")
            .AppendLine()
            .AppendLine("| clients | agent req/s | agent p50 | agent p99 | peer req/s | peer p50 | peer p99 | agent ÷ peer req/s | errors (non-2xx / socket) |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var clients in CompareRunner.Clients)
        {
            var a = agent.ClosedAt(clients).ToArray();
            var p = peer.ClosedAt(clients).ToArray();
            if (a.Length == 0 || p.Length == 0)
            {
                continue;
            }

            var ratio = Spread.Of(a.Select(x => x.RequestsPerSecond)).Median / Spread.Of(p.Select(x => x.RequestsPerSecond)).Median;
            md.AppendLine(Inv, $"| {clients} | {Rps(a)} | {Ms(a.Select(x => x.P50))} | {Ms(a.Select(x => x.P99))} | {Rps(p)} | {Ms(p.Select(x => x.P50))} | {Ms(p.Select(x => x.P99))} | {ratio:0.00}× | {Errors("agent", a)}{Errors("peer", p)} |");
        }

        md.AppendLine();
    }

    private static string Rps(IEnumerable<WrkRun> runs) => Spread.Of(runs.Select(x => x.RequestsPerSecond)).Format("N0");

    private static string Ms(IEnumerable<TimeSpan> values) => Spread.Of(values.Select(v => v.TotalMilliseconds)).Format("0.00");

    private static string Errors(string who, WrkRun[] runs)
    {
        var non2xx = runs.Sum(x => x.Non2xx);
        var socket = runs.Sum(x => x.SocketErrors);
        return non2xx == 0 && socket == 0 ? $"{who} 0 " : $"**⚠ {who} {non2xx} / {socket}** ";
    }

    private static void AppendRates(StringBuilder md, ComparisonResults r)
    {
        md.AppendLine("## Fixed rate, durable (open loop; latency from the scheduled send)")
            .AppendLine()
            .AppendLine("| rate | server | achieved req/s | p50 | p99 | max | non-200 | generator send lag (mean) |")
            .AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var rate in CompareRunner.Rates)
        {
            foreach (var s in r.Servers.Where(s => s.Durable && s.FixedRates.Count > 0))
            {
                var runs = s.FixedRates.Where(x => x.TargetRate == rate).ToArray();
                var errors = runs.Sum(x => x.NonOk);
                md.AppendLine(Inv, $"| {rate} | {Name(s.Kind)} | {Spread.Of(runs.Select(x => x.AchievedRate)).Format("N0")} | {Ms(runs.Select(x => x.P50))} | {Ms(runs.Select(x => x.P99))} | {Ms(runs.Select(x => x.Max))} | {(errors == 0 ? "0" : $"**⚠ {errors}**")} | {Ms(runs.Select(x => x.MeanSendLag))} |");
            }
        }

        md.AppendLine().AppendLine("Non-durable fixed-rate runs are not made: the rate goals are about durable writes, and the time goes to the closed loops.").AppendLine();
    }

    private static string AgentBuild(string agent) => agent.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
        ? $"the Release build `{Path.GetFileName(agent)}` run by `dotnet` (JIT-compiled at start)"
        : "the linux-x64 release artefact (`./publish-arm64.sh --rid linux-x64`: self-contained single file, composite ReadyToRun)";

    private static void AppendStarts(StringBuilder md, ComparisonResults r)
    {
        md.AppendLine(Inv, $"## Start to ready and idle memory ({r.Options.StartRounds} start(s) each, fresh data every time)")
            .AppendLine()
            .AppendLine("| server | process start → first 200 on `GET /readyz`, ms | VmRSS 1 s after ready, MiB | of it private (RssAnon + RssShmem), MiB |")
            .AppendLine("|---|---|---|---|");
        foreach (var kind in new[] { ServerKind.Agent, ServerKind.Peer, ServerKind.Hello })
        {
            var starts = r.Starts.Where(s => s.Kind == kind).ToArray();
            if (starts.Length > 0)
            {
                md.AppendLine(Inv, $"| {Name(kind)} | {Spread.Of(starts.Select(s => s.StartToReady.TotalMilliseconds)).Format("0")} | {Spread.Of(starts.Select(s => s.IdleRssBytes / 1048576.0)).Format("0.0")} | {Spread.Of(starts.Select(s => s.IdlePrivateRssBytes / 1048576.0)).Format("0.0")} |");
            }
        }

        md.AppendLine().AppendLine("The agent's first start on an empty directory makes its key, salt and store and replays golden for its variant; the hello world is an empty ASP.NET Core app (`benchmarks/hello`), the floor for a .NET web process.").AppendLine();
    }

    private static void AppendMemoryAndStorage(StringBuilder md, ComparisonResults r)
    {
        md.AppendLine("## Memory after load and bytes per stored decision (one run per server and mode)")
            .AppendLine()
            .AppendLine("| server | mode | decisions stored | VmRSS after, MiB | of it private (RssAnon + RssShmem), MiB | bytes stored | bytes per decision | files |")
            .AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var s in r.Servers)
        {
            var perDecision = s.Decisions > 0 ? (s.StoredBytes / (double)s.Decisions).ToString("N0", Inv) : "–";
            md.AppendLine(Inv, $"| {Name(s.Kind)} | {(s.Durable ? "durable" : "non-durable")} | {s.Decisions:N0} | {s.RssAfterBytes / 1048576.0:0.0} | {s.PrivateRssAfterBytes / 1048576.0:0.0} | {s.StoredBytes:N0} | {perDecision} | {s.StorageDetail} |");
        }

        md.AppendLine()
            .AppendLine(Inv, $"Durable servers are loaded (64 connections) until they have made at least {r.Options.DecisionsForMemory:N0} decisions; RSS is read under no load right after. VmRSS counts the private memory (RssAnon + RssShmem: heaps, stacks, and .NET's executable memory, mapped twice through a memfd) and the pages of mapped files the process touched (its code and libraries: the runtime, ONNX Runtime, the agent's precompiled code); the kernel can drop and re-read those under memory pressure, the private part it cannot. The non-durable rows count what their closed loops made. The agent's files are read after SIGTERM (LiteDB checkpoints the log into the data file on a clean stop); they also hold the idempotency keys, the outbox mark and the audit chain, the peer's file only the answers.")
            .AppendLine();
    }

    private static void AppendMicro(StringBuilder md, ComparisonResults r)
    {
        md.AppendLine("## Raw ONNX Runtime and the in-process path (BenchmarkDotNet, short in-process job)").AppendLine();
        if (r.Micro is null)
        {
            md.AppendLine(Inv, $"Not measured: {r.MicroFailure ?? "skipped"}").AppendLine();
            return;
        }

        md.AppendLine("| what | median µs | allocated B |").AppendLine("|---|---|---|");
        void Row(string method, string what)
        {
            if (r.Micro.TryGetValue(method, out var x))
            {
                md.AppendLine(Inv, $"| {what} | {x.MedianNs / 1000:0.00} | {x.AllocatedBytes?.ToString("N0", Inv) ?? "–"} |");
            }
        }

        Row(nameof(OrtBenchmarks.ScorerOneRow), "raw ORT, 1 row (`OnnxScorer.Predict`)");
        Row(nameof(OrtBenchmarks.ScorerReasonBatch), "raw ORT, 22-row reason batch");
        Row(nameof(DecisionPathBenchmarks.FullPath), "in-process decision path (read + 22-row score + policy + reasons + Decision), no HTTP, no storage");
        md.AppendLine().AppendLine("See `benchmarks/results/foundation.md` (`-- all`) for the full breakdown with longer runs.").AppendLine();
    }

    private static void AppendGoals(StringBuilder md, ComparisonResults r)
    {
        md.AppendLine("## Goals of issue 11: where each stands (medians of this run)").AppendLine();
        var agent = r.Find(ServerKind.Agent, true);
        var peer = r.Find(ServerKind.Peer, true);
        if (agent is null || peer is null)
        {
            md.AppendLine("Not judged: the durable runs are missing.").AppendLine();
            return;
        }

        double MedianRps(ServerResults s, int c) => Spread.Of(s.ClosedAt(c).Select(x => x.RequestsPerSecond)).Median;
        double MedianMs(ServerResults s, int c, Func<WrkRun, TimeSpan> pick) => Spread.Of(s.ClosedAt(c).Select(x => pick(x).TotalMilliseconds)).Median;
        string Mark(bool met) => met ? "**met**" : "**not met**";

        foreach (var c in new[] { 16, 64 })
        {
            var ratio = MedianRps(agent, c) / MedianRps(peer, c);
            var ap99 = MedianMs(agent, c, x => x.P99);
            var pp99 = MedianMs(peer, c, x => x.P99);
            md.AppendLine(Inv, $"- Durable throughput ≥ 1.5× the peer's at {c} clients, with a lower p99: {Mark(ratio >= 1.5 && ap99 < pp99)} — {ratio:0.00}× ({MedianRps(agent, c):N0} vs {MedianRps(peer, c):N0} req/s), p99 {ap99:0.00} vs {pp99:0.00} ms.");
        }

        var a50 = MedianMs(agent, 1, x => x.P50);
        var p50 = MedianMs(peer, 1, x => x.P50);
        md.AppendLine(Inv, $"- p50 at 1 client ≤ the peer's: {Mark(a50 <= p50)} — {a50:0.000} vs {p50:0.000} ms.");

        var at500 = agent.FixedRates.Where(x => x.TargetRate == 500).ToArray();
        if (at500.Length > 0)
        {
            var p99 = Spread.Of(at500.Select(x => x.P99.TotalMilliseconds)).Median;
            md.AppendLine(Inv, $"- p99 ≤ 5 ms at a fixed 500 req/s, durable: {Mark(p99 <= 5)} — {p99:0.00} ms.");
        }

        var rssMb = agent.RssAfterBytes / 1048576.0;
        var peerMb = peer.RssAfterBytes / 1048576.0;
        md.AppendLine(Inv, $"- RSS ≤ 60 MB after {r.Options.DecisionsForMemory:N0} decisions and ≤ the peer's: {Mark(agent.RssAfterBytes <= 60_000_000 && agent.RssAfterBytes <= peer.RssAfterBytes)} — {rssMb:0.0} MiB ({agent.RssAfterBytes / 1e6:0.0} MB) after {agent.Decisions:N0} vs the peer's {peerMb:0.0} MiB after {peer.Decisions:N0}; of it private (RssAnon + RssShmem) {agent.PrivateRssAfterBytes / 1048576.0:0.0} vs {peer.PrivateRssAfterBytes / 1048576.0:0.0} MiB.");

        var starts = r.Starts.Where(s => s.Kind == ServerKind.Agent).ToArray();
        if (starts.Length > 0)
        {
            var ready = Spread.Of(starts.Select(s => s.StartToReady.TotalMilliseconds)).Median;
            md.AppendLine(Inv, $"- Start to ready ≤ 0.5 s: {Mark(ready <= 500)} — {ready:0} ms (median of {starts.Length}, first start on an empty directory).");
        }

        if (agent.Decisions > 0)
        {
            var perDecision = agent.StoredBytes / (double)agent.Decisions;
            md.AppendLine(Inv, $"- ≤ 1 KB stored per decision: {Mark(perDecision <= 1024)} — {perDecision:N0} B (peer: {peer.StoredBytes / (double)Math.Max(1, peer.Decisions):N0} B).");
        }

        if (r.Options.Quick)
        {
            md.AppendLine().AppendLine("(Quick trial: the goal marks above are from one short round on a busy machine and prove only that the judging works.)");
        }

        md.AppendLine();
    }

    private static void AppendProfiles(StringBuilder md, ComparisonResults r)
    {
        if (!r.Options.Profile)
        {
            md.AppendLine("Profiles: not recorded (run with `--profile`).");
            return;
        }

        md.AppendLine("## Profiles (durable agent, 16 connections)").AppendLine();
        foreach (var note in r.ProfileNotes)
        {
            md.AppendLine(Inv, $"- {note}");
        }
    }

    private static string Name(ServerKind kind) => kind switch
    {
        ServerKind.Agent => "agent",
        ServerKind.Peer => "Node peer",
        _ => "dotnet hello world",
    };
}
