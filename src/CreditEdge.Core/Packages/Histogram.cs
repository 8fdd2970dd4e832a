namespace CreditEdge.Core.Packages;

/// <summary>
/// A reference distribution for drift (PSI): <see cref="Edges"/> are the inner bin boundaries (k edges make k+1 bins,
/// the first open below, the last open above); <see cref="Proportions"/> sum to 1.
/// </summary>
public sealed record Histogram(IReadOnlyList<double> Edges, IReadOnlyList<double> Proportions)
{
    /// <summary>The bin a value falls in: the number of edges at or below it (so bin i holds edges[i−1] ≤ v &lt; edges[i]).</summary>
    public int BinOf(double value)
    {
        var bin = 0;
        while (bin < Edges.Count && value >= Edges[bin])
        {
            bin++;
        }

        return bin;
    }
}
