using System.Globalization;
using System.Text;
using CreditEdge.Benchmarks.Compare;
using CreditEdge.Benchmarks.Report;
using ScottPlot;

namespace CreditEdge.Benchmarks.OfficeScale;

/// <summary>
/// <c>office-scale-report RESULTS.tsv OUTDIR COMMAND DEVICES RATE DURATION LOAD-AT-START</c>: turns benchmarks/office-scale.sh's
/// rounds into office-scale.md (machine, date, min/median/max per worker count) and office-scale.png.
/// </summary>
public static class OfficeScaleReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 8)
        {
            await Console.Error.WriteLineAsync("usage: office-scale-report RESULTS.tsv OUTDIR COMMAND DEVICES RATE DURATION LOAD-AT-START");
            return 2;
        }

        var runs = (await File.ReadAllLinesAsync(args[1])).Skip(1).Where(l => l.Length > 0).Select(OfficeScaleRun.Parse).ToList();
        if (runs.Count == 0)
        {
            await Console.Error.WriteLineAsync($"office-scale-report: {args[1]} has no rounds");
            return 1;
        }

        var machine = MachineInfo.Collect(args, TimeProvider.System);
        var markdown = Render(runs, machine, args[3], args[4], args[5], args[6], args[7]);
        Directory.CreateDirectory(args[2]);
        await File.WriteAllTextAsync(Path.Combine(args[2], "office-scale.md"), markdown, new UTF8Encoding(false));
        WriteChart(runs, Path.Combine(args[2], "office-scale.png"));
        Console.WriteLine(markdown);
        return 0;
    }

    public static string Render(IReadOnlyList<OfficeScaleRun> runs, MachineInfo machine, string command, string devices, string rate, string duration, string loadAtStart)
    {
        var text = new StringBuilder()
            .AppendLine("# Office ingest at scale: simulated devices → Mosquitto → N ingest workers → PostgreSQL")
            .AppendLine()
            .AppendLine(Inv, $"- Command: `{command}` ({devices} simulated devices, each its own MQTT 5 client; {rate} decisions/s offered for {duration} s; telemetry every 10 s per device)")
            .AppendLine(Inv, $"- Date: {machine.StartedUtc:yyyy-MM-dd HH:mm} UTC; machine: nproc = {machine.Nproc}; CPU: {machine.Cpu}; {machine.Os}; {machine.Dotnet}; load average (1/5/15 min) at start: {loadAtStart}, at the end: {machine.LoadAtStart} (other work on the machine shows here)")
            .AppendLine("- Broker, database, simulator and office all run on this machine and share its cores.")
            .AppendLine("- Each cell: median (min–max) over the rounds; every round on a fresh database.")
            .AppendLine("- rows/s: decisions committed per second over the window from the first commit + 1 s to the last − 1 s;")
            .AppendLine("  lag: `received_at` (the database's `now()` in the batch transaction that stored the row, i.e. its start, a few ms before its commit) − the decision's `createdAt` (set by the simulator as it sends).")
            .AppendLine("- CPU: utime+stime from /proc/PID/stat over the round (send + drain), in cores (1.0 = one core busy the whole round); postgres = every process of the cluster; simulator = its whole process (connect, send, stop).")
            .AppendLine()
            .AppendLine("| workers | rounds | sent | rows | duplicates | rows/s | lag p50 ms | lag p99 ms | offered sent/s | mosquitto cores | postgres cores | office cores | simulator cores |")
            .AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var group in runs.GroupBy(r => r.Workers).OrderBy(g => g.Key))
        {
            var g = group.ToList();
            string S(Func<OfficeScaleRun, double> pick, string format) => Spread.Of(g.Select(pick)).Format(format);
            text.AppendLine(Inv, $"| {group.Key} | {g.Count} | {S(r => r.Sent, "F0")} | {S(r => r.Rows, "F0")} | {S(r => r.Duplicates, "F0")} | {S(r => r.RowsPerSecond, "F0")} | {S(r => r.LagP50Ms, "F0")} | {S(r => r.LagP99Ms, "F0")} | {S(r => r.SentPerSecond, "F0")} | {S(r => r.Cores(r.MosquittoCpuSeconds), "F2")} | {S(r => r.Cores(r.PostgresCpuSeconds), "F2")} | {S(r => r.Cores(r.OfficeCpuSeconds), "F2")} | {S(r => r.Cores(r.SimulatorCpuSeconds), "F2")} |");
        }

        text.AppendLine().AppendLine("Rounds:").AppendLine().AppendLine("```");
        foreach (var r in runs)
        {
            text.AppendLine(Inv, $"workers={r.Workers} round={r.Round} sent={r.Sent} rows={r.Rows} dup={r.Duplicates} rows/s={r.RowsPerSecond:F1} lag p50={r.LagP50Ms:F1} ms p99={r.LagP99Ms:F1} ms offered={r.SentPerSecond:F1}/s wall={r.WallSeconds:F1} s cpu s: mosquitto={r.MosquittoCpuSeconds:F2} postgres={r.PostgresCpuSeconds:F2} office={r.OfficeCpuSeconds:F2} simulator={r.SimulatorCpuSeconds:F2}");
        }

        return text.AppendLine("```").ToString();
    }

    private static void WriteChart(IReadOnlyList<OfficeScaleRun> runs, string file)
    {
        var groups = runs.GroupBy(r => r.Workers).OrderBy(g => g.Key).ToList();
        var positions = groups.Select((_, i) => (double)i).ToArray();
        var plot = new Plot();

        var rows = groups.Select(g => Spread.Of(g.Select(r => r.RowsPerSecond))).ToArray();
        var bars = plot.Add.Bars(positions, rows.Select(s => s.Median).ToArray());
        bars.Color = Colors.SteelBlue;
        bars.LegendText = "rows/s (median; whiskers min–max)";
        for (var i = 0; i < rows.Length; i++)
        {
            var whisker = plot.Add.Line(positions[i], rows[i].Min, positions[i], rows[i].Max);
            whisker.Color = Colors.Black;
            whisker.LineWidth = 2;
        }

        var p99 = plot.Add.Scatter(positions, groups.Select(g => Spread.Of(g.Select(r => r.LagP99Ms)).Median / 1000).ToArray());
        p99.Color = Colors.OrangeRed;
        p99.LineWidth = 2;
        p99.MarkerSize = 8;
        p99.LinePattern = LinePattern.Dashed;
        p99.LegendText = "lag p99, s (median)";
        p99.Axes.YAxis = plot.Axes.Right;
        var p50 = plot.Add.Scatter(positions, groups.Select(g => Spread.Of(g.Select(r => r.LagP50Ms)).Median / 1000).ToArray());
        p50.Color = Colors.Orange;
        p50.LineWidth = 2;
        p50.MarkerSize = 6;
        p50.LegendText = "lag p50, s (median)";
        p50.Axes.YAxis = plot.Axes.Right;

        plot.Axes.Bottom.SetTicks(positions, groups.Select(g => g.Key.ToString(Inv)).ToArray());
        plot.XLabel("ingest workers (MQTT 5 shared subscription)");
        plot.YLabel("decisions committed per second");
        plot.Axes.Right.Label.Text = "end-to-end lag, s";
        plot.Title("Office ingest: simulated fleet → Mosquitto → workers → PostgreSQL (one 2-core machine)");
        plot.Axes.SetLimitsX(-0.6, positions[^1] + 0.6);
        plot.Axes.AutoScaleY(plot.Axes.Right);
        plot.Axes.SetLimitsY(0, rows.Max(s => s.Max) * 1.15, plot.Axes.Left);
        plot.Axes.SetLimitsY(0, plot.Axes.Right.Max * 1.15, plot.Axes.Right);
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(file, 1100, 600);
    }
}
