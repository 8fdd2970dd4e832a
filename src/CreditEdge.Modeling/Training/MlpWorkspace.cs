namespace CreditEdge.Modeling.Training;

/// <summary>Scratch buffers for one forward/backward pass of an <see cref="Mlp"/>.</summary>
public sealed class MlpWorkspace
{
    internal MlpWorkspace(IReadOnlyList<int> layerSizes)
    {
        Activations = layerSizes.Select(s => new double[s]).ToArray();
        Deltas = layerSizes.Select(s => new double[s]).ToArray();
    }

    /// <summary>Per layer: the input (layer 0), then each layer's output after its activation (last: the logit).</summary>
    internal double[][] Activations { get; }

    /// <summary>Per layer: dloss/d(pre-activation) during backpropagation.</summary>
    internal double[][] Deltas { get; }
}
