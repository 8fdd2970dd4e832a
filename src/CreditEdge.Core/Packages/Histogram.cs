namespace CreditEdge.Core.Packages;

/// <summary>
/// A reference distribution for drift (PSI): <see cref="Edges"/> are the inner bin boundaries (k edges make k+1 bins,
/// the first open below, the last open above); <see cref="Proportions"/> sum to 1.
/// </summary>
public sealed record Histogram(IReadOnlyList<double> Edges, IReadOnlyList<double> Proportions);
