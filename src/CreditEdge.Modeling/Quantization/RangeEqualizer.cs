using CreditEdge.Modeling.Data;
using CreditEdge.Modeling.Training;

namespace CreditEdge.Modeling.Quantization;

/// <summary>
/// Prepares a network for per-tensor int8 activations without changing what it computes (cross-layer equalization,
/// Nagel et al. 2019): each standardized numeric input is rescaled so its largest calibration |value| is 1 (like the
/// one-hot inputs), and each hidden ReLU unit j is rescaled by c_j = 1 / (its largest calibration activation) — its
/// incoming weights and bias times c_j, its outgoing weights divided by c_j (ReLU(c·x) = c·ReLU(x) for c &gt; 0).
/// Every unit then spans the same range, so one activation scale per tensor serves all of them as finely as a
/// per-unit scale would. The float function is unchanged up to float32 rounding.
/// </summary>
public static class RangeEqualizer
{
    public static TrainedModel Equalize(TrainedModel model, Dataset calibration)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(calibration);
        var encoder = model.Encoder;
        var network = model.Network.Clone();
        var p = network.Parameters;
        var inputs = MlpTrainer.EncodeAll(encoder, calibration);

        // inputs: numeric columns come first in the encoded vector
        var width = encoder.EncodedWidth;
        var numeric = encoder.NumericIndex.Count;
        var scale = encoder.Scale.ToArray();
        var hidden1 = network.LayerSizes[1];
        for (var k = 0; k < numeric; k++)
        {
            var largest = 0.0;
            for (var r = 0; r < calibration.RowCount; r++)
            {
                largest = Math.Max(largest, Math.Abs(inputs[(r * width) + k]));
            }

            if (largest <= 0)
            {
                continue;
            }

            scale[k] = (float)(scale[k] * largest);
            for (var j = 0; j < hidden1; j++)
            {
                p[network.WeightOffset(0) + (k * hidden1) + j] *= largest;
            }
        }

        var equalizedEncoder = new InputEncoder(encoder.NumericIndex, encoder.Mean, scale, encoder.CategoricalIndex, encoder.CodeCount, encoder.Compress, encoder.CompressScale);
        var encoded = MlpTrainer.EncodeAll(equalizedEncoder, calibration);

        var workspace = network.CreateWorkspace();
        for (var l = 0; l < network.LayerCount - 1; l++)
        {
            var units = network.LayerSizes[l + 1];
            var largest = new double[units];
            for (var r = 0; r < calibration.RowCount; r++)
            {
                network.Logit(encoded.AsSpan(r * width, width), workspace);
                var activation = workspace.Activations[l + 1];
                for (var j = 0; j < units; j++)
                {
                    largest[j] = Math.Max(largest[j], activation[j]);
                }
            }

            var fanIn = network.LayerSizes[l];
            var fanOut = network.LayerSizes[l + 2];
            for (var j = 0; j < units; j++)
            {
                if (largest[j] <= 0)
                {
                    continue;
                }

                var c = 1 / largest[j];
                for (var i = 0; i < fanIn; i++)
                {
                    p[network.WeightOffset(l) + (i * units) + j] *= c;
                }

                p[network.BiasOffset(l) + j] *= c;
                for (var o = 0; o < fanOut; o++)
                {
                    p[network.WeightOffset(l + 1) + (j * fanOut) + o] /= c;
                }
            }
        }

        network.RoundToSingle();
        return new TrainedModel(equalizedEncoder, network, model.Summary);
    }
}
