using System.Globalization;
using System.Net;
using System.Text;
using CreditEdge.Modeling.Evaluation;

namespace CreditEdge.Modeling.Reporting;

/// <summary>Writes <c>report.html</c> (no scripts, no network) with its PNG pictures beside it.</summary>
public static class HtmlReportWriter
{
    public const string FileName = "report.html";

    public static void Write(string directory, LightweightingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var charts = ReportCharts.Write(directory, report);
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        s.AppendLine(c, $"<title>{Html(report.Title)}</title>");
        s.AppendLine("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}img{max-width:100%;border:1px solid #eee}</style>");
        s.AppendLine("</head><body>");
        s.AppendLine(c, $"<h1>{Html(report.Title)}</h1>");
        s.AppendLine("<h2>Variants (test split)</h2>");
        s.AppendLine(MarkdownTables.Variants(report, html: true));
        s.AppendLine("<h2>fp32 ↔ int8 parity</h2>");
        s.AppendLine(MarkdownTables.Parity(report.Parity, html: true));
        if (report.Pruning.Count > 0)
        {
            s.AppendLine("<h2>Sparsity vs AUC</h2>");
            s.AppendLine(MarkdownTables.Pruning(report.Pruning, html: true));
            s.AppendLine("<p>ONNX Runtime runs pruned weights through the same dense Gemm kernels: sparsity gives no speed, only a smaller compressed file.</p>");
        }

        s.AppendLine("<h2>Fairness (approval at the approve cutoff)</h2>");
        s.AppendLine(MarkdownTables.Fairness(report, html: true));
        s.AppendLine("<h2>Settings</h2><table>");
        foreach (var setting in report.Settings)
        {
            s.AppendLine(c, $"<tr><td>{Html(setting.Key)}</td><td style=\"text-align:left\">{Html(setting.Value)}</td></tr>");
        }

        s.AppendLine("</table>");
        foreach (var (file, caption) in charts)
        {
            s.AppendLine(c, $"<figure><img src=\"{file}\" alt=\"{Html(caption)}\"><figcaption>{Html(caption)}</figcaption></figure>");
        }

        s.AppendLine("</body></html>");
        File.WriteAllText(Path.Combine(directory, FileName), s.ToString());
    }

    private static string Html(string text) => WebUtility.HtmlEncode(text);
}
