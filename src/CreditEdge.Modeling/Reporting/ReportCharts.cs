using CreditEdge.Modeling.Evaluation;
using ScottPlot;

namespace CreditEdge.Modeling.Reporting;

/// <summary>The report's PNG pictures, drawn with ScottPlot: ROC, KS curve, score distributions, reliability, size vs AUC.</summary>
public static class ReportCharts
{
    public const int Width = 720;
    public const int Height = 480;

    /// <summary>Writes every chart into <paramref name="directory"/>; returns the file names, in report order, with captions.</summary>
    public static IReadOnlyList<(string File, string Caption)> Write(string directory, LightweightingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var focus = report.Variants.LastOrDefault(v => v.Precision == "int8") ?? report.Variants[^1];
        var charts = new List<(string, string)>
        {
            (Roc(directory, report), "ROC curves of every variant on the test split."),
            (Ks(directory, report, focus), $"KS curve of '{focus.Name}': cumulative share of bads and goods by probability of default."),
            (Distributions(directory, report, focus), $"Distribution of '{focus.Name}' probabilities for goods and bads (test split)."),
            (Reliability(directory, report), "Reliability: mean predicted probability vs observed bad rate in ten equal-width bins."),
            (Frontier(directory, report), "Size vs AUC: each variant's file size (log scale), and the pruning levels by gzip size."),
        };
        return charts;
    }

    private static string Roc(string directory, LightweightingReport report)
    {
        var plot = new Plot();
        foreach (var v in report.Variants)
        {
            var (fpr, tpr) = RocPoints(v.Probabilities, report.Labels);
            var line = plot.Add.Scatter(fpr, tpr);
            line.MarkerSize = 0;
            line.LegendText = FormattableString.Invariant($"{v.Name} (AUC {v.Test.Auc:F4})");
        }

        var diagonal = plot.Add.Scatter(new double[] { 0, 1 }, new double[] { 0, 1 });
        diagonal.MarkerSize = 0;
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.Color = Colors.Gray;
        plot.Title("ROC (test split)");
        plot.XLabel("false positive rate (goods flagged)");
        plot.YLabel("true positive rate (bads flagged)");
        plot.ShowLegend(Alignment.LowerRight);
        return Save(plot, directory, "roc.png");
    }

    private static string Ks(string directory, LightweightingReport report, VariantEvaluation v)
    {
        var order = Enumerable.Range(0, v.Probabilities.Count).OrderBy(i => v.Probabilities[i]).ToArray();
        double bads = report.Labels.Count(l => l == 1), goods = report.Labels.Count - bads;
        var xs = new double[order.Length];
        var badCurve = new double[order.Length];
        var goodCurve = new double[order.Length];
        double cb = 0, cg = 0;
        for (var k = 0; k < order.Length; k++)
        {
            if (report.Labels[order[k]] == 1)
            {
                cb++;
            }
            else
            {
                cg++;
            }

            xs[k] = v.Probabilities[order[k]];
            badCurve[k] = cb / bads;
            goodCurve[k] = cg / goods;
        }

        var plot = new Plot();
        var g = plot.Add.Scatter(xs, goodCurve);
        g.MarkerSize = 0;
        g.LegendText = "goods";
        var b = plot.Add.Scatter(xs, badCurve);
        b.MarkerSize = 0;
        b.LegendText = "bads";
        plot.Title(FormattableString.Invariant($"KS curve, {v.Name}: KS = {v.Test.Ks:F4}"));
        plot.XLabel("probability of default");
        plot.YLabel("cumulative share");
        plot.ShowLegend(Alignment.LowerRight);
        return Save(plot, directory, "ks.png");
    }

    private static string Distributions(string directory, LightweightingReport report, VariantEvaluation v)
    {
        const int bins = 40;
        var plot = new Plot();
        foreach (var (label, name) in new[] { (0, "goods"), (1, "bads") })
        {
            var values = v.Probabilities.Where((_, i) => report.Labels[i] == label).ToArray();
            var counts = new double[bins];
            foreach (var p in values)
            {
                counts[Math.Clamp((int)(p * bins), 0, bins - 1)] += 1.0 / values.Length;
            }

            var line = plot.Add.Scatter(Enumerable.Range(0, bins).Select(i => (i + 0.5) / bins).ToArray(), counts);
            line.LegendText = name;
            line.MarkerSize = 3;
        }

        plot.Title($"Probability of default by outcome, {v.Name}");
        plot.XLabel("probability of default");
        plot.YLabel("share of the group");
        plot.ShowLegend(Alignment.UpperRight);
        return Save(plot, directory, "distributions.png");
    }

    private static string Reliability(string directory, LightweightingReport report)
    {
        var plot = new Plot();
        foreach (var v in report.Variants)
        {
            var points = CalibrationCurve.Bins(v.Probabilities, report.Labels).Where(b => b.Rows > 0).ToArray();
            var line = plot.Add.Scatter(points.Select(p => p.Predicted).ToArray(), points.Select(p => p.Observed).ToArray());
            line.LegendText = FormattableString.Invariant($"{v.Name} (ECE {v.Ece:F4})");
        }

        var diagonal = plot.Add.Scatter(new double[] { 0, 1 }, new double[] { 0, 1 });
        diagonal.MarkerSize = 0;
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.Color = Colors.Gray;
        plot.Title("Reliability (test split)");
        plot.XLabel("mean predicted probability");
        plot.YLabel("observed bad rate");
        plot.ShowLegend(Alignment.UpperLeft);
        return Save(plot, directory, "calibration.png");
    }

    private static string Frontier(string directory, LightweightingReport report)
    {
        var plot = new Plot();
        foreach (var v in report.Variants)
        {
            var point = plot.Add.Scatter(new[] { Math.Log10(v.SizeBytes) }, new[] { v.Test.Auc });
            point.MarkerSize = 10;
            point.LegendText = FormattableString.Invariant($"{v.Name}: {v.SizeBytes / 1024.0:F1} KiB");
        }

        if (report.Pruning.Count > 0)
        {
            var line = plot.Add.Scatter(report.Pruning.Select(p => Math.Log10(p.GzipBytes)).ToArray(), report.Pruning.Select(p => p.TestAuc).ToArray());
            line.LegendText = "pruning 0…90 % (gzip size)";
            line.LinePattern = LinePattern.Dotted;
        }

        plot.Title("Size vs AUC");
        plot.XLabel("log10(bytes)");
        plot.YLabel("test AUC");
        plot.ShowLegend(Alignment.LowerRight);
        return Save(plot, directory, "frontier.png");
    }

    private static (double[] Fpr, double[] Tpr) RocPoints(IReadOnlyList<double> probabilities, IReadOnlyList<int> labels)
    {
        var order = Enumerable.Range(0, probabilities.Count).OrderByDescending(i => probabilities[i]).ToArray();
        double bads = labels.Count(l => l == 1), goods = labels.Count - bads;
        var fpr = new List<double> { 0 };
        var tpr = new List<double> { 0 };
        double tp = 0, fp = 0;
        for (var k = 0; k < order.Length; k++)
        {
            if (labels[order[k]] == 1)
            {
                tp++;
            }
            else
            {
                fp++;
            }

            if (k == order.Length - 1 || probabilities[order[k + 1]] != probabilities[order[k]])
            {
                fpr.Add(fp / goods);
                tpr.Add(tp / bads);
            }
        }

        return (fpr.ToArray(), tpr.ToArray());
    }

    private static string Save(Plot plot, string directory, string file)
    {
        plot.SavePng(Path.Combine(directory, file), Width, Height);
        return file;
    }
}
