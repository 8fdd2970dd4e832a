namespace CreditEdge.Modeling.Evaluation;

/// <summary>Discrimination and calibration figures for a probability-of-default model (label 1 = bad).</summary>
public static class BinaryMetrics
{
    /// <summary>Evaluates probabilities against labels.</summary>
    public static EvaluationResult Evaluate(IReadOnlyList<double> probabilities, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        if (probabilities.Count != labels.Count || labels.Count == 0)
        {
            throw new ArgumentException("one label per probability, and at least one of each, are needed");
        }

        var auc = Auc(probabilities, labels);
        return new EvaluationResult(
            Rows: labels.Count,
            BadRate: labels.Average(),
            Auc: auc,
            Gini: (2 * auc) - 1,
            Ks: Ks(probabilities, labels),
            Brier: probabilities.Select((p, i) => (p - labels[i]) * (p - labels[i])).Average());
    }

    /// <summary>Area under the ROC curve: the chance a random bad scores above a random good (ties count half).</summary>
    public static double Auc(IReadOnlyList<double> probabilities, IReadOnlyList<int> labels)
    {
        var order = SortedIndices(probabilities);
        double rankSumBad = 0;
        long bads = 0;
        var i = 0;
        while (i < order.Length)
        {
            var j = i;
            while (j + 1 < order.Length && probabilities[order[j + 1]] == probabilities[order[i]])
            {
                j++;
            }

            var averageRank = ((i + j) / 2.0) + 1;
            for (var k = i; k <= j; k++)
            {
                if (labels[order[k]] == 1)
                {
                    rankSumBad += averageRank;
                    bads++;
                }
            }

            i = j + 1;
        }

        long goods = order.Length - bads;
        if (bads == 0 || goods == 0)
        {
            return double.NaN;
        }

        return (rankSumBad - (bads * (bads + 1) / 2.0)) / (bads * (double)goods);
    }

    /// <summary>Kolmogorov–Smirnov: the largest gap between the cumulative distributions of bads and goods.</summary>
    public static double Ks(IReadOnlyList<double> probabilities, IReadOnlyList<int> labels)
    {
        var order = SortedIndices(probabilities);
        double bads = labels.Count(l => l == 1);
        double goods = labels.Count - bads;
        if (bads == 0 || goods == 0)
        {
            return double.NaN;
        }

        double cumBad = 0, cumGood = 0, ks = 0;
        var i = 0;
        while (i < order.Length)
        {
            // move past all ties before measuring, so the KS does not depend on the order of equal scores
            var value = probabilities[order[i]];
            while (i < order.Length && probabilities[order[i]] == value)
            {
                if (labels[order[i]] == 1)
                {
                    cumBad++;
                }
                else
                {
                    cumGood++;
                }

                i++;
            }

            ks = Math.Max(ks, Math.Abs((cumBad / bads) - (cumGood / goods)));
        }

        return ks;
    }

    private static int[] SortedIndices(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).ToArray();
        Array.Sort(order, (a, b) => values[a].CompareTo(values[b]) is var c && c != 0 ? c : a.CompareTo(b));
        return order;
    }
}
