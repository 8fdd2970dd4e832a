using System.Text.Json;
using CreditEdge.Core.Packages;
using CreditEdge.TestKit;

namespace CreditEdge.Agent.Tests;

/// <summary>The committed default package's golden records: real applicants with their expected probabilities.</summary>
public static class GoldenSet
{
    public static IReadOnlyList<GoldenRecord> Records { get; } = File.ReadLines(Path.Combine(RepoPaths.DefaultModel, "golden.jsonl"))
        .Where(l => l.Length > 0)
        .Select(l => JsonSerializer.Deserialize(l, PackageJson.Default.GoldenRecord)!)
        .ToArray();

    /// <summary>A score request body for a golden record.</summary>
    public static string RequestBody(GoldenRecord record, string? applicationId = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object?> { ["applicationId"] = applicationId, ["features"] = record.Features });
}
