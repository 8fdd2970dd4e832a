using System.Text.Json.Nodes;

namespace CreditEdge.Core.Packages;

/// <summary>
/// One line of <c>golden.jsonl</c>: the request form (<see cref="Features"/>), the raw model input row
/// (<see cref="Input"/>, manifest order) and the probability each variant must give for it.
/// </summary>
public sealed record GoldenRecord
{
    public required JsonObject Features { get; init; }

    public required IReadOnlyList<float> Input { get; init; }

    public required IReadOnlyDictionary<string, double> Expected { get; init; }
}
