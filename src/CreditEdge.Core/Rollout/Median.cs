namespace CreditEdge.Core.Rollout;

/// <summary>The median of a set of values: the middle one, or the mean of the two middle ones for an even count.</summary>
internal static class Median
{
    /// <summary>Sorts <paramref name="values"/> in place; 0 for none.</summary>
    public static double Of(Span<long> values)
    {
        if (values.IsEmpty)
        {
            return 0;
        }

        values.Sort();
        var middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] / 2.0) + (values[middle] / 2.0);
    }
}
