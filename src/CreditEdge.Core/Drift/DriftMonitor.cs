using CreditEdge.Core.Packages;

namespace CreditEdge.Core.Drift;

/// <summary>
/// Counts each decision's score and features into the reference histograms' bins (thread-safe, no allocation) and
/// turns the counts into PSI on demand. Features without a reference histogram are not tracked.
/// </summary>
public sealed class DriftMonitor
{
    private readonly Histogram? _score;
    private readonly (int Index, string Name, Histogram Reference)[] _features;
    private readonly long[] _scoreCounts;
    private readonly long[][] _featureCounts;
    private long _observations;

    public DriftMonitor(IReadOnlyList<string> featureOrder, ReferenceDistributions reference)
    {
        ArgumentNullException.ThrowIfNull(featureOrder);
        ArgumentNullException.ThrowIfNull(reference);
        _score = reference.Score;
        _scoreCounts = new long[_score?.Proportions.Count ?? 0];
        _features = featureOrder
            .Select((name, index) => (index, name, reference.Features.TryGetValue(name, out var h) ? h : null))
            .Where(f => f.Item3 is not null)
            .Select(f => (f.index, f.name, f.Item3!))
            .ToArray();
        _featureCounts = _features.Select(f => new long[f.Reference.Proportions.Count]).ToArray();
    }

    public void Observe(ReadOnlySpan<float> row, double score)
    {
        if (_score is not null)
        {
            Interlocked.Increment(ref _scoreCounts[_score.BinOf(score)]);
        }

        for (var i = 0; i < _features.Length; i++)
        {
            var (index, _, reference) = _features[i];
            Interlocked.Increment(ref _featureCounts[i][reference.BinOf(row[index])]);
        }

        Interlocked.Increment(ref _observations);
    }

    /// <summary>PSI since the last reset; with <paramref name="reset"/> the counts start again (one telemetry window each).</summary>
    public DriftSnapshot Snapshot(bool reset)
    {
        var observations = reset ? Interlocked.Exchange(ref _observations, 0) : Interlocked.Read(ref _observations);
        var scorePsi = _score is null ? (double?)null : PopulationStability.Index(_score.Proportions, Take(_scoreCounts, reset));
        var features = new Dictionary<string, double>(_features.Length, StringComparer.Ordinal);
        for (var i = 0; i < _features.Length; i++)
        {
            features[_features[i].Name] = PopulationStability.Index(_features[i].Reference.Proportions, Take(_featureCounts[i], reset));
        }

        return new DriftSnapshot(observations, observations == 0 ? null : scorePsi, features);
    }

    private static long[] Take(long[] counts, bool reset)
    {
        var copy = new long[counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            copy[i] = reset ? Interlocked.Exchange(ref counts[i], 0) : Interlocked.Read(ref counts[i]);
        }

        return copy;
    }
}
