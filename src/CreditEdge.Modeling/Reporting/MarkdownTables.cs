using System.Globalization;
using System.Net;
using System.Text;
using CreditEdge.Modeling.Evaluation;
using CreditEdge.Modeling.Pruning;

namespace CreditEdge.Modeling.Reporting;

/// <summary>The report's tables as Markdown (model card, benchmark results) or HTML (report.html).</summary>
public static class MarkdownTables
{
    public static string Variants(LightweightingReport report, bool html = false)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = report.Variants.Select(v => new[]
        {
            v.Name, v.Precision, v.Deployed ? "yes" : "no", F(v.Test.Auc), F(v.Test.Ks), F(v.Test.Gini), F(v.Test.Brier), F(v.Ece),
            P(v.Sparsity), v.SizeBytes.ToString(CultureInfo.InvariantCulture), v.GzipBytes.ToString(CultureInfo.InvariantCulture),
            v.Cost is { } c1 ? c1.LatencyP50Microseconds.ToString("F1", CultureInfo.InvariantCulture) : "–",
            v.Cost is { } c2 ? c2.LatencyP99Microseconds.ToString("F1", CultureInfo.InvariantCulture) : "–",
            v.Cost is { } c3 ? c3.BatchRowsPerSecond.ToString("F0", CultureInfo.InvariantCulture) : "–",
            v.Cost is { } c4 ? (c4.PeakMemoryBytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) : "–",
        });
        return Table(["variant", "precision", "in package", "AUC", "KS", "Gini", "Brier", "ECE", "sparsity", "bytes", "gzip bytes", "p50 µs", "p99 µs", "rows/s (batch 256)", "peak MiB"], rows, html);
    }

    public static string Parity(ParityResult p, bool html = false)
    {
        ArgumentNullException.ThrowIfNull(p);
        return Table(
            ["reference → candidate", "max abs Δp", "mean abs Δp", "flips at approve", "flips at decline", "top-4 reason set changed", "top-4 reason order changed"],
            [[$"{p.Reference} → {p.Candidate}", F(p.MaxAbsDelta, 6), F(p.MeanAbsDelta, 6), P(p.ApproveFlips, 2), P(p.DeclineFlips, 2), P(p.ReasonSetChanged, 2), P(p.ReasonOrderChanged, 2)]],
            html);
    }

    public static string Pruning(IReadOnlyList<PruningStep> steps, bool html = false)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var baseline = steps[0];
        return Table(
            ["target sparsity", "actual sparsity", "validation AUC", "Δ validation", "test AUC", "Δ test", "ONNX bytes", "gzip bytes"],
            steps.Select(s => new[]
            {
                P(s.TargetSparsity), P(s.ActualSparsity), F(s.ValidationAuc), F(s.ValidationAuc - baseline.ValidationAuc), F(s.TestAuc),
                F(s.TestAuc - baseline.TestAuc), s.OnnxBytes.ToString(CultureInfo.InvariantCulture), s.GzipBytes.ToString(CultureInfo.InvariantCulture),
            }),
            html);
    }

    public static string Fairness(LightweightingReport report, bool html = false)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = report.Variants.Where(v => v.Deployed).SelectMany(v => v.Fairness.Select(f => new[]
        {
            v.Name, f.Attribute, f.Group, f.Rows.ToString(CultureInfo.InvariantCulture), P(f.ApprovalRate), F(f.AdverseImpactRatio, 3),
        }));
        return Table(["variant", "attribute", "group", "rows", "approval rate", "adverse impact ratio"], rows, html);
    }

    private static string Table(string[] header, IEnumerable<string[]> rows, bool html)
    {
        var s = new StringBuilder();
        if (html)
        {
            s.Append("<table><tr>").Append(string.Concat(header.Select(h => $"<th>{WebUtility.HtmlEncode(h)}</th>"))).AppendLine("</tr>");
            foreach (var row in rows)
            {
                s.Append("<tr>").Append(string.Concat(row.Select(v => $"<td>{WebUtility.HtmlEncode(v)}</td>"))).AppendLine("</tr>");
            }

            return s.Append("</table>").ToString();
        }

        s.Append("| ").Append(string.Join(" | ", header)).AppendLine(" |");
        s.Append('|').Append(string.Concat(header.Select(_ => "---|"))).AppendLine();
        foreach (var row in rows)
        {
            s.Append("| ").Append(string.Join(" | ", row)).AppendLine(" |");
        }

        return s.ToString();
    }

    private static string F(double value, int digits = 4) => value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string P(double share, int digits = 0) => (share * 100).ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + " %";
}
