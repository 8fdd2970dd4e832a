using System.Globalization;
using System.Text;
using CreditEdge.Core.Packages;
using CreditEdge.Modeling.Data;

namespace CreditEdge.Modeling.Packaging;

/// <summary>Writes <c>MODEL_CARD.md</c>: data, split, features, what is left out and why, metrics, policy, limits, rebuild command.</summary>
public static class ModelCardWriter
{
    public const string FileName = "MODEL_CARD.md";

    public static string Render(ModelManifest manifest, DatasetSchema schema, ModelBuildResult result, ModelBuildOptions options, string dataSha256)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        var t = options.Training;
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
        s.AppendLine(c, $"- File: `{Path.GetFileName(options.DataPath)}` (SHA-256 `{dataSha256}`).");
        if (schema.Description is not null)
        {
            s.AppendLine(c, $"- {schema.Description}");
        }

        if (schema.Source is not null)
        {
            s.AppendLine(c, $"- Source: {schema.Source}");
        }

        s.AppendLine(c, $"- Split: {schema.Split.Describe(schema.Identifier?.Name)}. Train {result.Train.Rows} rows (bad rate {result.Train.BadRate:P1}), test {result.Test.Rows} rows (bad rate {result.Test.BadRate:P1}).");
        s.AppendLine(c, $"- Early stopping used {result.Training.ValidationRows} rows carved at random (seed {t.Seed}) from the train split; the test split is never seen in training.");
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
        s.AppendLine("## Model");
        s.AppendLine();
        s.AppendLine(c, $"- Fully connected network {string.Join(" → ", manifest.Features.Count.ToString(c), string.Join(" → ", t.HiddenLayers), "1")} (ReLU, sigmoid output); categorical inputs one-hot encoded and numeric inputs standardized (train mean/std) inside the ONNX graph.");
        s.AppendLine(c, $"- Mini-batch Adam (learning rate {t.LearningRate}, batch {t.BatchSize}), binary cross-entropy, L2 {t.L2}, early stopping on validation loss (patience {t.Patience}): best epoch {result.Training.BestEpoch} of {result.Training.EpochsRun}.");
        s.AppendLine(c, $"- ONNX opset 17: input `features` float32 [N, {manifest.Features.Count}] (raw values, categorical as code index), output `probability` float32 [N, 1].");
        s.AppendLine(c, $"- Training time {result.TrainingTime.TotalSeconds:F1} s (single thread).");
        s.AppendLine();
        s.AppendLine("## Metrics");
        s.AppendLine();
        s.AppendLine("| split | rows | bad rate | AUC | Gini | KS | Brier |");
        s.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (name, e) in new[] { ("train", result.Train), ("test", result.Test) })
        {
            s.AppendLine(c, $"| {name} | {e.Rows} | {e.BadRate:F4} | {e.Auc:F4} | {e.Gini:F4} | {e.Ks:F4} | {e.Brier:F4} |");
        }

        s.AppendLine();
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
        s.AppendLine("- fp32 only in this version (no teacher, distillation, pruning or int8 yet).");
        s.AppendLine();
        s.AppendLine("## Rebuild");
        s.AppendLine();
        s.AppendLine("From the repository root, with the data under `../shared/data`:");
        s.AppendLine();
        s.AppendLine("```");
        s.AppendLine(c, $"dotnet run --project src/CreditEdge.Cli -- model build --data {options.DataPath} --schema {options.SchemaPath} --out {options.OutputDirectory} --seed {t.Seed}");
        s.AppendLine("```");
        s.AppendLine();
        s.AppendLine(c, $"The same data and seed give byte-identical `manifest.json` and `model.fp32.onnx` (created-at is fixed at {manifest.CreatedAt:O}).");
        return s.ToString();
    }
}
