using System.Text;
using System.Text.Json.Nodes;

namespace CreditEdge.Benchmarks;

/// <summary>Score request bodies (UTF-8 JSON) built from the default package's golden records: real applicants.</summary>
public static class GoldenBodies
{
    private static readonly Lazy<byte[][]> AllBodies = new(Load);

    /// <summary>One body per golden record, in file order.</summary>
    public static IReadOnlyList<byte[]> All => AllBodies.Value;

    private static byte[][] Load() =>
        File.ReadLines(Path.Combine(Repo.DefaultModel, "golden.jsonl"))
            .Where(line => line.Length > 0)
            .Select((line, i) => Body(JsonNode.Parse(line)!["features"]!, i))
            .ToArray();

    private static byte[] Body(JsonNode features, int index)
    {
        var request = new JsonObject
        {
            ["applicationId"] = $"bench-{index:D3}",
            ["features"] = features.DeepClone(),
        };
        return Encoding.UTF8.GetBytes(request.ToJsonString());
    }
}
