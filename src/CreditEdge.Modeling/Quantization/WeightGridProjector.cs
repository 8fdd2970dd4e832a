using CreditEdge.Modeling.Training;

namespace CreditEdge.Modeling.Quantization;

/// <summary>
/// Projects the weights of the layers that <see cref="QdqQuantizer"/> quantizes onto their own symmetric per-output-channel
/// int8 grid (w ← scale_c · round(w / scale_c), scale_c = max|W[:, c]| / 127): the fp32 variant then carries exactly the
/// weights the int8 variant stores, and the two differ only in activation rounding. A projection, not retraining: each
/// weight moves by at most half a grid step (scale_c / 2); zeros (pruned weights) stay zero.
/// </summary>
public static class WeightGridProjector
{
    public static TrainedModel Project(TrainedModel model, QuantizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var network = model.Network.Clone();
        var p = network.Parameters;
        var first = options.KeepFirstLayerFloat ? 1 : 0;
        var end = options.KeepLastLayerFloat ? network.LayerCount - 1 : network.LayerCount;
        for (var l = first; l < end; l++)
        {
            int inputs = network.LayerSizes[l], outputs = network.LayerSizes[l + 1];
            var weights = new float[inputs * outputs];
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i] = (float)p[network.WeightOffset(l) + i];
            }

            var (quantized, scales) = QdqQuantizer.QuantizeWeights(weights, inputs, outputs, axis: 1);
            for (var i = 0; i < weights.Length; i++)
            {
                p[network.WeightOffset(l) + i] = quantized[i] * scales[i % outputs];
            }
        }

        network.RoundToSingle();
        return new TrainedModel(model.Encoder, network, model.Summary);
    }
}
