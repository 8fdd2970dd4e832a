using System.Text.Json.Nodes;

namespace CreditEdge.Modeling.Evaluation;

/// <summary>
/// The report as JSON: <see cref="Full"/> for <c>metrics.json</c> (with timings, sizes and memory, which vary by machine)
/// and <see cref="Deterministic"/> for the manifest (accuracy and parity only, so the manifest's bytes depend on data and seed alone).
/// </summary>
public static class MetricsJson
{
    public static JsonObject Full(LightweightingReport report, JsonObject header)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(header);
        var json = (JsonObject)header.DeepClone();
        json["variants"] = new JsonArray(report.Variants.Select(v => (JsonNode)Variant(v, full: true)).ToArray());
        json["parity"] = Parity(report.Parity);
        json["pruning"] = new JsonArray(report.Pruning.Select(p => (JsonNode)new JsonObject
        {
            ["targetSparsity"] = p.TargetSparsity,
            ["sparsity"] = R(p.ActualSparsity),
            ["validationAuc"] = R(p.ValidationAuc),
            ["testAuc"] = R(p.TestAuc),
            ["onnxBytes"] = p.OnnxBytes,
            ["gzipBytes"] = p.GzipBytes,
        }).ToArray());
        json["settings"] = Settings(report);
        json["stepSeconds"] = new JsonObject(report.StepSeconds.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)Math.Round(s.Value, 1))));
        return json;
    }

    public static JsonObject Deterministic(LightweightingReport report, JsonObject header)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(header);
        var json = (JsonObject)header.DeepClone();
        json["variants"] = new JsonArray(report.Variants.Select(v => (JsonNode)Variant(v, full: false)).ToArray());
        json["parity"] = Parity(report.Parity);
        json["settings"] = Settings(report);
        return json;
    }

    private static JsonObject Settings(LightweightingReport report) =>
        new(report.Settings.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value)));

    private static JsonObject Variant(VariantEvaluation v, bool full)
    {
        var json = new JsonObject
        {
            ["name"] = v.Name,
            ["description"] = v.Description,
            ["precision"] = v.Precision,
            ["deployed"] = v.Deployed,
            ["testAuc"] = R(v.Test.Auc),
            ["testKs"] = R(v.Test.Ks),
            ["testGini"] = R(v.Test.Gini),
            ["testBrier"] = R(v.Test.Brier),
            ["testEce"] = R(v.Ece),
            ["sparsity"] = R(v.Sparsity),
        };
        if (!full)
        {
            return json;
        }

        json["sizeBytes"] = v.SizeBytes;
        json["gzipBytes"] = v.GzipBytes;
        if (v.Cost is { } cost)
        {
            json["latencyP50Us"] = Math.Round(cost.LatencyP50Microseconds, 1);
            json["latencyP99Us"] = Math.Round(cost.LatencyP99Microseconds, 1);
            json["batchRowsPerSecond"] = Math.Round(cost.BatchRowsPerSecond);
            json["peakMemoryBytes"] = cost.PeakMemoryBytes;
        }

        json["fairness"] = new JsonArray(v.Fairness.Select(f => (JsonNode)new JsonObject
        {
            ["attribute"] = f.Attribute,
            ["group"] = f.Group,
            ["rows"] = f.Rows,
            ["approvalRate"] = R(f.ApprovalRate),
            ["adverseImpactRatio"] = R(f.AdverseImpactRatio),
        }).ToArray());
        return json;
    }

    private static JsonObject Parity(ParityResult p) => new()
    {
        ["reference"] = p.Reference,
        ["candidate"] = p.Candidate,
        ["maxAbsDelta"] = R(p.MaxAbsDelta),
        ["meanAbsDelta"] = R(p.MeanAbsDelta),
        ["approveFlips"] = R(p.ApproveFlips),
        ["declineFlips"] = R(p.DeclineFlips),
        ["reasonSetChanged"] = R(p.ReasonSetChanged),
        ["reasonOrderChanged"] = R(p.ReasonOrderChanged),
    };

    private static double R(double value) => double.IsFinite(value) ? Math.Round(value, 6) : 0;
}
