using CreditEdge.Modeling.Training;

namespace CreditEdge.Modeling.Adaptation;

/// <summary>
/// Platt scaling: p = σ(a·z + b) fitted by Newton's method on logits and labels, and folded into the network's last
/// layer (weights × a, bias · a + b) so the recalibration lives inside the ONNX graph.
/// </summary>
public static class PlattScaling
{
    public static (double A, double B) Fit(IReadOnlyList<double> logits, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        double a = 1, b = 0;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
            for (var i = 0; i < logits.Count; i++)
            {
                var p = Mlp.Sigmoid((a * logits[i]) + b);
                var e = p - labels[i];
                var w = Math.Max(p * (1 - p), 1e-12);
                ga += e * logits[i];
                gb += e;
                haa += w * logits[i] * logits[i];
                hab += w * logits[i];
                hbb += w;
            }

            var det = (haa * hbb) - (hab * hab);
            if (Math.Abs(det) < 1e-18)
            {
                break;
            }

            var da = ((hbb * ga) - (hab * gb)) / det;
            var db = ((haa * gb) - (hab * ga)) / det;
            a -= da;
            b -= db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-10)
            {
                break;
            }
        }

        return (a, b);
    }

    /// <summary>A copy of <paramref name="model"/> whose output logit is a·z + b.</summary>
    public static TrainedModel Fold(TrainedModel model, double a, double b)
    {
        ArgumentNullException.ThrowIfNull(model);
        var network = model.Network.Clone();
        var last = network.LayerCount - 1;
        for (var i = network.WeightOffset(last); i < network.BiasOffset(last); i++)
        {
            network.Parameters[i] *= a;
        }

        network.Parameters[network.BiasOffset(last)] = (network.Parameters[network.BiasOffset(last)] * a) + b;
        network.RoundToSingle();
        return new TrainedModel(model.Encoder, network, model.Summary);
    }
}
