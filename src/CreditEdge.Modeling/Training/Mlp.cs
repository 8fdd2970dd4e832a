namespace CreditEdge.Modeling.Training;

/// <summary>
/// A fully connected network: ReLU hidden layers and one sigmoid output (the probability of default).
/// All weights and biases live in one flat <see cref="Parameters"/> array, layer by layer: the weight matrix
/// [inputs × outputs] row-major (the layout of ONNX Gemm's B without transpose), then the bias [outputs].
/// </summary>
public sealed class Mlp
{
    private readonly int[] _layerSizes;
    private readonly int[] _weightOffset;
    private readonly int[] _biasOffset;

    /// <param name="layerSizes">Input width, hidden widths, then 1; e.g. [27, 32, 16, 1].</param>
    public Mlp(IReadOnlyList<int> layerSizes)
    {
        ArgumentNullException.ThrowIfNull(layerSizes);
        if (layerSizes.Count < 2 || layerSizes[^1] != 1 || layerSizes.Any(s => s < 1))
        {
            throw new ArgumentException("layer sizes must be positive, at least [inputs, 1], and end in 1", nameof(layerSizes));
        }

        _layerSizes = [.. layerSizes];
        _weightOffset = new int[LayerCount];
        _biasOffset = new int[LayerCount];
        var offset = 0;
        for (var l = 0; l < LayerCount; l++)
        {
            _weightOffset[l] = offset;
            offset += _layerSizes[l] * _layerSizes[l + 1];
            _biasOffset[l] = offset;
            offset += _layerSizes[l + 1];
        }

        Parameters = new double[offset];
    }

    public IReadOnlyList<int> LayerSizes => _layerSizes;

    /// <summary>Number of weight layers (connections between consecutive sizes).</summary>
    public int LayerCount => _layerSizes.Length - 1;

    public int InputWidth => _layerSizes[0];

    /// <summary>Weights and biases of all layers; see the class summary for the layout.</summary>
    public double[] Parameters { get; }

    public int WeightOffset(int layer) => _weightOffset[layer];

    public int BiasOffset(int layer) => _biasOffset[layer];

    /// <summary>He-uniform weights, zero biases.</summary>
    public void Initialize(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Array.Clear(Parameters);
        for (var l = 0; l < LayerCount; l++)
        {
            var fanIn = _layerSizes[l];
            var limit = Math.Sqrt(6.0 / fanIn);
            var count = fanIn * _layerSizes[l + 1];
            for (var i = 0; i < count; i++)
            {
                Parameters[_weightOffset[l] + i] = ((random.NextDouble() * 2) - 1) * limit;
            }
        }
    }

    /// <summary>Rounds every parameter to float32, so the double forward pass matches the float32 graph.</summary>
    public void RoundToSingle()
    {
        for (var i = 0; i < Parameters.Length; i++)
        {
            Parameters[i] = (float)Parameters[i];
        }
    }

    /// <summary>A workspace sized for this network; one per thread.</summary>
    public MlpWorkspace CreateWorkspace() => new(_layerSizes);

    /// <summary>The output logit for one encoded input.</summary>
    public double Logit(ReadOnlySpan<double> input, MlpWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        input.CopyTo(workspace.Activations[0]);
        for (var l = 0; l < LayerCount; l++)
        {
            var x = workspace.Activations[l];
            var y = workspace.Activations[l + 1];
            var inputs = _layerSizes[l];
            var outputs = _layerSizes[l + 1];
            var w = Parameters.AsSpan(_weightOffset[l], inputs * outputs);
            Parameters.AsSpan(_biasOffset[l], outputs).CopyTo(y);
            for (var i = 0; i < inputs; i++)
            {
                var xi = x[i];
                if (xi == 0)
                {
                    continue;
                }

                var row = w.Slice(i * outputs, outputs);
                for (var j = 0; j < outputs; j++)
                {
                    y[j] += xi * row[j];
                }
            }

            if (l < LayerCount - 1)
            {
                for (var j = 0; j < outputs; j++)
                {
                    y[j] = Math.Max(0, y[j]);
                }
            }
        }

        return workspace.Activations[LayerCount][0];
    }

    /// <summary>The probability of default for one encoded input.</summary>
    public double Predict(ReadOnlySpan<double> input, MlpWorkspace workspace) => Sigmoid(Logit(input, workspace));

    /// <summary>
    /// Adds the gradient of the binary cross-entropy of one example to <paramref name="gradient"/> (same layout as
    /// <see cref="Parameters"/>) and returns that example's loss.
    /// </summary>
    public double AccumulateGradient(ReadOnlySpan<double> input, int label, Span<double> gradient, MlpWorkspace workspace) =>
        AccumulateGradient(input, label, 0, DistillationLoss.LabelsOnly, gradient, workspace);

    /// <summary>
    /// Adds the gradient of <paramref name="loss"/> for one example (label and teacher logit) to <paramref name="gradient"/>
    /// and returns that example's loss.
    /// </summary>
    public double AccumulateGradient(ReadOnlySpan<double> input, int label, double teacherLogit, DistillationLoss loss, Span<double> gradient, MlpWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(loss);
        var z = Logit(input, workspace);
        workspace.Deltas[LayerCount][0] = loss.Derivative(z, label, teacherLogit);
        Backpropagate(gradient, workspace);
        return loss.Value(z, label, teacherLogit);
    }

    /// <summary>A copy with the same sizes and parameters.</summary>
    public Mlp Clone()
    {
        var copy = new Mlp(_layerSizes);
        Parameters.CopyTo(copy.Parameters, 0);
        return copy;
    }

    private void Backpropagate(Span<double> gradient, MlpWorkspace workspace)
    {
        for (var l = LayerCount - 1; l >= 0; l--)
        {
            var x = workspace.Activations[l];
            var delta = workspace.Deltas[l + 1];
            var inputs = _layerSizes[l];
            var outputs = _layerSizes[l + 1];
            var w = Parameters.AsSpan(_weightOffset[l], inputs * outputs);
            var gw = gradient.Slice(_weightOffset[l], inputs * outputs);
            var gb = gradient.Slice(_biasOffset[l], outputs);
            for (var j = 0; j < outputs; j++)
            {
                gb[j] += delta[j];
            }

            var back = workspace.Deltas[l];
            for (var i = 0; i < inputs; i++)
            {
                var xi = x[i];
                var row = w.Slice(i * outputs, outputs);
                var grow = gw.Slice(i * outputs, outputs);
                double sum = 0;
                for (var j = 0; j < outputs; j++)
                {
                    grow[j] += xi * delta[j];
                    sum += row[j] * delta[j];
                }

                // ReLU derivative: the activation x is the ReLU output of layer l (not needed for the input layer)
                back[i] = l > 0 && xi <= 0 ? 0 : sum;
            }
        }
    }

    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
}
