namespace CreditEdge.Core.Drift;

/// <summary>Population stability index: Σ (aᵢ − eᵢ) · ln(aᵢ / eᵢ) over bins, proportions floored so empty bins stay finite.</summary>
public static class PopulationStability
{
    /// <summary>Smallest proportion used for a bin, so an empty bin does not make the index infinite.</summary>
    public const double Floor = 1e-4;

    public static double Index(IReadOnlyList<double> expected, ReadOnlySpan<long> actualCounts)
    {
        ArgumentNullException.ThrowIfNull(expected);
        if (expected.Count != actualCounts.Length)
        {
            throw new ArgumentException($"{actualCounts.Length} counts for {expected.Count} reference bins", nameof(actualCounts));
        }

        long total = 0;
        foreach (var c in actualCounts)
        {
            total += c;
        }

        if (total == 0)
        {
            return 0;
        }

        var psi = 0.0;
        for (var i = 0; i < actualCounts.Length; i++)
        {
            var a = Math.Max(actualCounts[i] / (double)total, Floor);
            var e = Math.Max(expected[i], Floor);
            psi += (a - e) * Math.Log(a / e);
        }

        return psi;
    }
}
