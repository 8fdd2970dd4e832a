using System.Text.Json;
using CreditEdge.Core.Packages;

namespace CreditEdge.Release.Tests;

/// <summary>A package's golden records: real applicants with the probability each variant must give.</summary>
public static class Golden
{
    public static GoldenRecord First(string packageDirectory) =>
        JsonSerializer.Deserialize(File.ReadLines(Path.Combine(packageDirectory, "golden.jsonl")).First(l => l.Length > 0), PackageJson.Default.GoldenRecord)!;
}
