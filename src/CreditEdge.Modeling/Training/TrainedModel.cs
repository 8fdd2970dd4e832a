namespace CreditEdge.Modeling.Training;

/// <summary>An input encoder and the network behind it: raw manifest-order row in, probability of default out.</summary>
public sealed class TrainedModel
{
    public TrainedModel(InputEncoder encoder, Mlp network, TrainingSummary summary)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(network);
        if (network.InputWidth != encoder.EncodedWidth)
        {
            throw new ArgumentException($"the network takes {network.InputWidth} inputs; the encoder produces {encoder.EncodedWidth}");
        }

        Encoder = encoder;
        Network = network;
        Summary = summary;
    }

    public InputEncoder Encoder { get; }

    public Mlp Network { get; }

    public TrainingSummary Summary { get; }

    /// <summary>Probabilities for <paramref name="rows"/> raw rows laid out row-major.</summary>
    public double[] Predict(ReadOnlySpan<float> features, int rows)
    {
        var width = Encoder.InputWidth;
        var encoded = new double[Encoder.EncodedWidth];
        var workspace = Network.CreateWorkspace();
        var result = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            Encoder.Encode(features.Slice(r * width, width), encoded);
            result[r] = Network.Predict(encoded, workspace);
        }

        return result;
    }
}
