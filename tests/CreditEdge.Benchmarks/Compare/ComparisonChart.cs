using ScottPlot;

namespace CreditEdge.Benchmarks.Compare;

/// <summary>
/// benchmarks/results/comparison.png: median throughput (solid, left axis) and median p99 (dashed, right axis) by clients,
/// for the agent and the Node peer, durable and non-durable.
/// </summary>
public static class ComparisonChart
{
    public static void Write(ComparisonResults results, string file)
    {
        var plot = new Plot();
        var positions = CompareRunner.Clients.Select((_, i) => (double)i).ToArray();
        var series = new[]
        {
            (ServerKind.Agent, true, "agent, durable", Colors.Blue),
            (ServerKind.Peer, true, "Node peer, durable", Colors.OrangeRed),
            (ServerKind.Agent, false, "agent, non-durable", Colors.LightBlue),
            (ServerKind.Peer, false, "Node peer, non-durable", Colors.Orange),
        };
        foreach (var (kind, durable, label, color) in series)
        {
            var s = results.Find(kind, durable);
            if (s is null || CompareRunner.Clients.Any(c => !s.ClosedAt(c).Any()))
            {
                continue;
            }

            var rps = CompareRunner.Clients.Select(c => Spread.Of(s.ClosedAt(c).Select(x => x.RequestsPerSecond)).Median).ToArray();
            var p99 = CompareRunner.Clients.Select(c => Spread.Of(s.ClosedAt(c).Select(x => x.P99.TotalMilliseconds)).Median).ToArray();

            var throughput = plot.Add.Scatter(positions, rps);
            throughput.Color = color;
            throughput.LineWidth = 2;
            throughput.MarkerSize = 8;
            throughput.LegendText = $"{label}: req/s";

            var tail = plot.Add.Scatter(positions, p99);
            tail.Color = color;
            tail.LineWidth = 2;
            tail.MarkerSize = 6;
            tail.MarkerShape = MarkerShape.OpenSquare;
            tail.LinePattern = LinePattern.Dashed;
            tail.LegendText = $"{label}: p99 ms";
            tail.Axes.YAxis = plot.Axes.Right;
        }

        plot.Axes.Bottom.SetTicks(positions, CompareRunner.Clients.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.XLabel("concurrent clients (wrk connections)");
        plot.YLabel("requests per second (solid)");
        plot.Axes.Right.Label.Text = "p99 latency, ms (dashed)";
        plot.Title(results.Options.Quick ? "Agent vs Node peer — QUICK NOISY TRIAL" : "Agent vs Node peer: POST /v1/score, closed loop (medians)");
        plot.Axes.SetLimitsX(-0.3, positions[^1] + 0.3);
        plot.Axes.AutoScaleY(plot.Axes.Left);
        plot.Axes.AutoScaleY(plot.Axes.Right);
        plot.Axes.SetLimitsY(0, plot.Axes.Left.Max * 1.05, plot.Axes.Left);
        plot.Axes.SetLimitsY(0, plot.Axes.Right.Max * 1.05, plot.Axes.Right);
        plot.ShowLegend(Edge.Right);
        plot.SavePng(file, 1200, 600);
    }
}
