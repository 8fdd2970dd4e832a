namespace CreditEdge.Modeling.Evaluation;

/// <summary>Reliability in equal-width probability bins and the expected calibration error (ECE) over them.</summary>
public static class CalibrationCurve
{
    public const int DefaultBins = 10;

    /// <summary>Per bin [i/bins, (i+1)/bins): rows, mean predicted probability, observed bad rate (empty bins have 0 rows).</summary>
    public static IReadOnlyList<(int Rows, double Predicted, double Observed)> Bins(IReadOnlyList<double> probabilities, IReadOnlyList<int> labels, int bins = DefaultBins)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        var count = new int[bins];
        var predicted = new double[bins];
        var observed = new double[bins];
        for (var i = 0; i < probabilities.Count; i++)
        {
            var bin = Math.Clamp((int)(probabilities[i] * bins), 0, bins - 1);
            count[bin]++;
            predicted[bin] += probabilities[i];
            observed[bin] += labels[i];
        }

        return Enumerable.Range(0, bins)
            .Select(b => count[b] == 0 ? (0, 0.0, 0.0) : (count[b], predicted[b] / count[b], observed[b] / count[b]))
            .ToArray();
    }

    /// <summary>Σ over bins of (rows in bin / all rows) · |mean predicted − observed bad rate|.</summary>
    public static double ExpectedCalibrationError(IReadOnlyList<double> probabilities, IReadOnlyList<int> labels, int bins = DefaultBins)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        return Bins(probabilities, labels, bins).Sum(b => b.Rows / (double)probabilities.Count * Math.Abs(b.Predicted - b.Observed));
    }
}
