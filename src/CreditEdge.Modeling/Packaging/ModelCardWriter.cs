using System.Globalization;
using System.Text;
using CreditEdge.Core.Packages;
using CreditEdge.Modeling.Data;
using CreditEdge.Modeling.Evaluation;
using CreditEdge.Modeling.Reporting;

namespace CreditEdge.Modeling.Packaging;

/// <summary>Writes <c>MODEL_CARD.md</c>: data, split, features, what is left out and why, metrics, policy, limits, rebuild command.</summary>
public static class ModelCardWriter
{
    public const string FileName = "MODEL_CARD.md";

    public static string Render(ModelManifest manifest, DatasetSchema schema, LightweightingReport report, IReadOnlyList<string> howMade, string command)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(howMade);
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        var header = manifest.Metrics!;
        s.AppendLine(c, $"# Model card: {manifest.Id} {manifest.Version}");
        s.AppendLine();
        s.AppendLine(c, $"{manifest.Description}");
        s.AppendLine();
        s.AppendLine("## Intended use");
        s.AppendLine();
        s.AppendLine("Scores credit applicants offline on CreditEdge edge devices: probability of default → points → approve / refer / decline,");
        s.AppendLine("with up to four principal reasons. A decision support tool: referred and declined applicants can ask for a human review.");
        s.AppendLine();
        s.AppendLine("## Data");
        s.AppendLine();
        s.AppendLine(c, $"- File: `{header["dataFile"]}` (SHA-256 `{header["dataSha256"]}`).");
        if (schema.Description is not null)
        {
            s.AppendLine(c, $"- {schema.Description}");
        }

        if (schema.Source is not null)
        {
            s.AppendLine(c, $"- Source: {schema.Source}");
        }

        s.AppendLine(c, $"- Split: {schema.Split.Describe(schema.Identifier?.Name)}. Train {header["trainRows"]} rows, test {header["testRows"]} rows.");
        s.AppendLine(c, $"- Early stopping and the pruning choice used {header["validationRows"]} rows carved at random (seed {header["seed"]}) from the train split; the test split is never used to train or choose.");
        s.AppendLine(c, $"- Label: `{schema.Label.Name}`, bad (default) = `{schema.Label.Bad}`.");
        s.AppendLine();
        s.AppendLine("## Features (model input order)");
        s.AppendLine();
        s.AppendLine("| # | name | kind | allowed | meaning |");
        s.AppendLine("|---|---|---|---|---|");
        for (var i = 0; i < manifest.Features.Count; i++)
        {
            var f = manifest.Features[i];
            var allowed = f.Codes is { } codes
                ? "codes " + string.Join(", ", codes)
                : string.Create(c, $"{f.Min} … {f.Max}{(f.WholeNumber ? ", whole" : string.Empty)}");
            s.AppendLine(c, $"| {i + 1} | `{f.Name}` | {f.Kind.ToString().ToLowerInvariant()} | {allowed} | {f.Description} |");
        }

        s.AppendLine();
        s.AppendLine("## Left out of the model");
        s.AppendLine();
        foreach (var column in schema.Columns.Where(x => x.Role is ColumnRole.Identifier or ColumnRole.Protected or ColumnRole.Ignored))
        {
            var why = column.Role switch
            {
                ColumnRole.Identifier => "identifier (used only for the split)",
                ColumnRole.Protected => "protected attribute: never an input, by design",
                _ => "ignored",
            };
            s.AppendLine(c, $"- `{column.Name}`: {why}.");
        }

        s.AppendLine();
        s.AppendLine("Leaving protected attributes out does not by itself make the model fair: other inputs may correlate with them.");
        s.AppendLine("Outcomes by protected group should be monitored before and after deployment.");
        s.AppendLine();
        s.AppendLine("## How it was made");
        s.AppendLine();
        foreach (var line in howMade)
        {
            s.AppendLine(c, $"- {line}");
        }

        s.AppendLine(c, $"- ONNX: every file takes `features` float32 [N, {manifest.Features.Count}] (raw values, categorical as code index) and returns `probability` float32 [N, 1]; the input transforms live in the graph.");
        s.AppendLine();
        s.AppendLine("## Metrics (test split)");
        s.AppendLine();
        s.AppendLine(MarkdownTables.Variants(report));
        s.AppendLine("Latency, throughput and memory: ONNX Runtime, one intra-op thread, on the build machine; see `metrics.json` and `report.html`.");
        s.AppendLine();
        s.AppendLine("### fp32 ↔ int8 parity");
        s.AppendLine();
        s.AppendLine(MarkdownTables.Parity(report.Parity));
        if (report.Pruning.Count > 0)
        {
            s.AppendLine("### Sparsity vs AUC");
            s.AppendLine();
            s.AppendLine(MarkdownTables.Pruning(report.Pruning));
            s.AppendLine("ONNX Runtime runs pruned weights through the same dense Gemm kernels, so sparsity buys no speed here; it only makes the gzip-compressed file smaller.");
            s.AppendLine();
        }

        s.AppendLine("### Fairness");
        s.AppendLine();
        s.AppendLine(MarkdownTables.Fairness(report));
        s.AppendLine("## Decision policy");
        s.AppendLine();
        var p = manifest.Policy;
        s.AppendLine(c, $"- Points = {p.Offset:F2} + {p.Factor:F4} · ln(odds good:bad): {p.Pdo} points to double the odds, {p.BaseScore} points at {p.BaseOdds}:1.");
        s.AppendLine(c, $"- Approve at {p.ApproveMinScore} points or more: the 40th percentile of train scores, so {PolicyCalibration.ApproveShare:P0} of training applicants would be approved.");
        s.AppendLine(c, $"- Decline below {p.DeclineBelowScore} points: the 10th percentile of train scores ({PolicyCalibration.DeclineShare:P0} of training applicants). Refer in between.");
        s.AppendLine("- Principal reasons: each feature is replaced by its reference (median of non-defaulting train applicants; most frequent code for categorical features); the features whose own value raised the probability of default most are given.");
        s.AppendLine();
        s.AppendLine("| code | feature | text | reference |");
        s.AppendLine("|---|---|---|---|");
        foreach (var r in manifest.Reasons)
        {
            s.AppendLine(c, $"| {r.Code} | `{r.Feature}` | {r.Text} | {r.Reference} |");
        }

        s.AppendLine();
        s.AppendLine("## Limitations");
        s.AppendLine();
        s.AppendLine("- Trained on one historical population; the device's drift monitor (reference distributions in the manifest) should be watched and the cutoffs revisited before use on another population.");
        s.AppendLine("- Probabilities are those of the training population's bad rate; they are not recalibrated for a different portfolio.");
        s.AppendLine("- Request validation ranges come from the schema's generous domains; values inside them but far outside the training data are extrapolation.");
        s.AppendLine("- int8 is not faster on every board: ORT's fast int8 kernels need the Arm dot-product extension (Pi 5 yes, Pi 4 no); the device picks the variant.");
        s.AppendLine();
        s.AppendLine("## Rebuild");
        s.AppendLine();
        s.AppendLine("From the repository root, with the data under `../shared/data`:");
        s.AppendLine();
        s.AppendLine("```");
        s.AppendLine(command);
        s.AppendLine("```");
        s.AppendLine();
        s.AppendLine(c, $"The same data and seed give byte-identical `manifest.json`, `model.fp32.onnx` and `model.int8.onnx` (created-at is fixed at {manifest.CreatedAt:O}).");
        return s.ToString();
    }
}
