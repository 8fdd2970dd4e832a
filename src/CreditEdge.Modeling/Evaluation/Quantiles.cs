namespace CreditEdge.Modeling.Evaluation;

/// <summary>Quantiles and histograms of training distributions.</summary>
public static class Quantiles
{
    /// <summary>The q-quantile (0..1) of <paramref name="sorted"/>, linear between order statistics (numpy's default).</summary>
    public static double Of(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            throw new ArgumentException("no values", nameof(sorted));
        }

        var position = q * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }

    /// <summary>
    /// Inner edges at the 1/bins … (bins−1)/bins quantiles, rounded to 6 decimals, de-duplicated, and above the
    /// smallest value (an edge at the minimum would only make an empty first bin); a value v falls in bin i when
    /// edges[i−1] ≤ v &lt; edges[i] (the first bin is open below, the last open above).
    /// </summary>
    public static IReadOnlyList<double> QuantileEdges(IEnumerable<double> values, int bins)
    {
        var sorted = values.Order().ToArray();
        var edges = new List<double>();
        for (var k = 1; k < bins; k++)
        {
            var edge = Math.Round(Of(sorted, k / (double)bins), 6);
            if (edge > sorted[0] && (edges.Count == 0 || edge > edges[^1]))
            {
                edges.Add(edge);
            }
        }

        return edges;
    }

    /// <summary>Share of <paramref name="values"/> in each of the edges.Count + 1 bins (see <see cref="QuantileEdges"/>).</summary>
    public static IReadOnlyList<double> Proportions(IReadOnlyCollection<double> values, IReadOnlyList<double> edges)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(edges);
        var counts = new long[edges.Count + 1];
        foreach (var v in values)
        {
            var bin = 0;
            while (bin < edges.Count && v >= edges[bin])
            {
                bin++;
            }

            counts[bin]++;
        }

        return counts.Select(c => Math.Round(c / (double)values.Count, 6)).ToArray();
    }
}
