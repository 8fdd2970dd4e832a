using CreditEdge.Modeling.Data;

namespace CreditEdge.Modeling.Training;

/// <summary>
/// Mini-batch Adam on binary cross-entropy with an L2 penalty and early stopping on a validation slice carved from
/// the training split. Single-threaded and driven by one seeded <see cref="Random"/>: the same data and seed give
/// the same weights, bit for bit.
/// </summary>
public static class MlpTrainer
{
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Epsilon = 1e-8;

    /// <param name="train">The TRAIN split only; the validation slice is taken from it.</param>
    /// <param name="progress">Receives one line per epoch batch of progress; may be null.</param>
    public static TrainedModel Train(Dataset train, TrainingOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        if (train.RowCount < 10)
        {
            throw new ArgumentException($"training needs at least 10 rows; it got {train.RowCount}", nameof(train));
        }

        var random = new Random(options.Seed);
        var order = Enumerable.Range(0, train.RowCount).ToArray();
        random.Shuffle(order);
        var validationCount = Math.Clamp((int)Math.Round(train.RowCount * options.ValidationFraction), 1, train.RowCount - 1);
        var validation = train.Subset(order[..validationCount].Order().ToArray());
        var fit = train.Subset(order[validationCount..].Order().ToArray());

        var encoder = InputEncoder.Fit(fit);
        var fitInputs = EncodeAll(encoder, fit);
        var validationInputs = EncodeAll(encoder, validation);

        var network = new Mlp([encoder.EncodedWidth, .. options.HiddenLayers, 1]);
        network.Initialize(random);
        var isWeight = WeightMask(network);

        var parameters = network.Parameters;
        var gradient = new double[parameters.Length];
        var m = new double[parameters.Length];
        var v = new double[parameters.Length];
        var best = (double[])parameters.Clone();
        var bestLoss = double.PositiveInfinity;
        var bestEpoch = 0;
        var step = 0;
        var workspace = network.CreateWorkspace();
        var width = encoder.EncodedWidth;
        var rows = Enumerable.Range(0, fit.RowCount).ToArray();
        var epoch = 0;

        while (epoch < options.MaxEpochs && epoch - bestEpoch < options.Patience)
        {
            cancellationToken.ThrowIfCancellationRequested();
            epoch++;
            random.Shuffle(rows);
            for (var start = 0; start < rows.Length; start += options.BatchSize)
            {
                var end = Math.Min(start + options.BatchSize, rows.Length);
                Array.Clear(gradient);
                for (var k = start; k < end; k++)
                {
                    var r = rows[k];
                    network.AccumulateGradient(fitInputs.AsSpan(r * width, width), fit.Label(r), gradient, workspace);
                }

                step++;
                var n = end - start;
                var correction1 = 1 - Math.Pow(Beta1, step);
                var correction2 = 1 - Math.Pow(Beta2, step);
                for (var i = 0; i < parameters.Length; i++)
                {
                    var g = (gradient[i] / n) + (isWeight[i] ? options.L2 * parameters[i] : 0);
                    m[i] = (Beta1 * m[i]) + ((1 - Beta1) * g);
                    v[i] = (Beta2 * v[i]) + ((1 - Beta2) * g * g);
                    parameters[i] -= options.LearningRate * (m[i] / correction1) / (Math.Sqrt(v[i] / correction2) + Epsilon);
                }
            }

            var loss = MeanLoss(network, validationInputs, validation, workspace);
            if (loss < bestLoss - 1e-7)
            {
                bestLoss = loss;
                bestEpoch = epoch;
                Array.Copy(parameters, best, parameters.Length);
            }

            if (epoch % 10 == 0)
            {
                progress?.Report($"epoch {epoch}: validation loss {loss:F5} (best {bestLoss:F5} at epoch {bestEpoch})");
            }
        }

        Array.Copy(best, parameters, parameters.Length);
        network.RoundToSingle();
        return new TrainedModel(encoder, network, new TrainingSummary(fit.RowCount, validation.RowCount, epoch, bestEpoch, bestLoss));
    }

    private static double[] EncodeAll(InputEncoder encoder, Dataset data)
    {
        var width = encoder.EncodedWidth;
        var encoded = new double[data.RowCount * width];
        for (var r = 0; r < data.RowCount; r++)
        {
            encoder.Encode(data.Row(r), encoded.AsSpan(r * width, width));
        }

        return encoded;
    }

    private static bool[] WeightMask(Mlp network)
    {
        var mask = new bool[network.Parameters.Length];
        for (var l = 0; l < network.LayerCount; l++)
        {
            mask.AsSpan(network.WeightOffset(l), network.BiasOffset(l) - network.WeightOffset(l)).Fill(true);
        }

        return mask;
    }

    private static double MeanLoss(Mlp network, double[] inputs, Dataset data, MlpWorkspace workspace)
    {
        var width = network.InputWidth;
        double total = 0;
        for (var r = 0; r < data.RowCount; r++)
        {
            var z = network.Logit(inputs.AsSpan(r * width, width), workspace);
            total += Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z))) - (data.Label(r) * z);
        }

        return total / data.RowCount;
    }
}
