using System.Globalization;

namespace CreditEdge.Benchmarks.Compare;

/// <summary>Min / median / max of one measurement over its rounds.</summary>
public sealed record Spread(double Min, double Median, double Max, int Rounds)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("a spread needs at least one value", nameof(values));
        }

        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Spread(sorted[0], median, sorted[^1], sorted.Length);
    }

    /// <summary>"median (min–max)" with <paramref name="format"/>; just the value for one round.</summary>
    public string Format(string format) =>
        Rounds == 1 || Min == Max
            ? Median.ToString(format, CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{Median.ToString(format, CultureInfo.InvariantCulture)} ({Min.ToString(format, CultureInfo.InvariantCulture)}–{Max.ToString(format, CultureInfo.InvariantCulture)})");
}
