using CreditEdge.Core.Packages;
using CreditEdge.Core.Policy;
using CreditEdge.Modeling.Data;
using CreditEdge.Modeling.Evaluation;

namespace CreditEdge.Modeling.Packaging;

/// <summary>
/// The training population's distributions for drift monitoring: the score in deciles, each numeric feature in up to
/// ten quantile bins (duplicate edges dropped), each categorical feature one bin per code (edges at i + 0.5).
/// </summary>
public static class ReferenceBuilder
{
    public const int Bins = 10;

    public static ReferenceDistributions Build(Dataset train, IReadOnlyList<double> trainProbabilities, ScorePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(trainProbabilities);
        ArgumentNullException.ThrowIfNull(policy);

        var scores = trainProbabilities.Select(p => (double)policy.Score(p)).ToArray();
        var scoreEdges = Quantiles.QuantileEdges(scores, Bins);
        var features = new Dictionary<string, Histogram>(StringComparer.Ordinal);
        var inputs = train.Schema.Inputs;
        for (var f = 0; f < inputs.Count; f++)
        {
            var values = Enumerable.Range(0, train.RowCount).Select(r => (double)train.Row(r)[f]).ToArray();
            var edges = inputs[f].Role == ColumnRole.Categorical
                ? Enumerable.Range(0, inputs[f].Codes!.Count - 1).Select(i => i + 0.5).ToArray()
                : Quantiles.QuantileEdges(values, Bins);
            features[inputs[f].Name] = new Histogram(edges, Quantiles.Proportions(values, edges));
        }

        return new ReferenceDistributions
        {
            Score = new Histogram(scoreEdges, Quantiles.Proportions(scores, scoreEdges)),
            Features = features,
        };
    }
}
