namespace CreditEdge.Core.Scoring;

/// <summary>A model that maps rows of raw features (manifest order) to probabilities of default.</summary>
public interface IProbabilityModel
{
    int FeatureCount { get; }

    /// <summary>
    /// Scores <c>probabilities.Length</c> rows laid out one after another in <paramref name="rows"/>
    /// (<c>rows.Length == probabilities.Length * FeatureCount</c>). Safe to call from many threads at once.
    /// </summary>
    void Predict(ReadOnlySpan<float> rows, Span<float> probabilities);
}
