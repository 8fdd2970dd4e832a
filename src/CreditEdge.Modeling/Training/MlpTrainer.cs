using CreditEdge.Modeling.Data;

namespace CreditEdge.Modeling.Training;

/// <summary>
/// Mini-batch Adam on the <see cref="DistillationLoss"/> (labels mixed with the teacher's logits; labels only when no
/// teacher is given) with an L2 penalty and early stopping on the label cross-entropy of a validation slice carved
/// from the training split. Single-threaded and driven by one seeded <see cref="Random"/>: the same data and seed give
/// the same weights, bit for bit. <see cref="FineTune"/> continues from a trained model, optionally with weights held at
/// zero by a pruning mask.
/// </summary>
public static class MlpTrainer
{
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Epsilon = 1e-8;

    /// <param name="train">The TRAIN split only; the validation slice is taken from it.</param>
    /// <param name="teacherLogits">One teacher logit per train row, or null to train on labels only.</param>
    /// <param name="progress">Receives a line every ten epochs; may be null.</param>
    public static TrainedModel Train(Dataset train, TrainingOptions options, IReadOnlyList<double>? teacherLogits = null,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        var split = TrainingSplit.Create(train, options, teacherLogits);
        var encoder = InputEncoder.Fit(split.Fit);
        var network = new Mlp([encoder.EncodedWidth, .. options.HiddenLayers, 1]);
        network.Initialize(split.Random);
        return Optimize(encoder, network, split, options, keep: null, progress, cancellationToken);
    }

    /// <summary>
    /// Continues training a copy of <paramref name="start"/> (same encoder) on <paramref name="train"/>.
    /// Parameters where <paramref name="keep"/> is false stay exactly zero (pruned weights).
    /// </summary>
    public static TrainedModel FineTune(TrainedModel start, Dataset train, TrainingOptions options, IReadOnlyList<double>? teacherLogits = null,
        bool[]? keep = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        var split = TrainingSplit.Create(train, options, teacherLogits);
        var network = start.Network.Clone();
        ApplyMask(network.Parameters, keep);
        return Optimize(start.Encoder, network, split, options, keep, progress, cancellationToken);
    }

    /// <summary>Mean label cross-entropy of <paramref name="model"/> on <paramref name="rows"/>.</summary>
    public static double MeanLoss(TrainedModel model, Dataset rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        return MeanLoss(model.Network, EncodeAll(model.Encoder, rows), rows, model.Network.CreateWorkspace());
    }

    private static TrainedModel Optimize(InputEncoder encoder, Mlp network, TrainingSplit split, TrainingOptions options, bool[]? keep,
        IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var fit = split.Fit;
        var validation = split.Validation;
        var random = split.Random;
        var fitInputs = EncodeAll(encoder, fit);
        var validationInputs = EncodeAll(encoder, validation);
        var isWeight = WeightMask(network);
        var loss = split.TeacherLogits is null ? DistillationLoss.LabelsOnly : options.Distillation;

        var parameters = network.Parameters;
        var gradient = new double[parameters.Length];
        var m = new double[parameters.Length];
        var v = new double[parameters.Length];
        var best = (double[])parameters.Clone();
        var bestLoss = MeanLoss(network, validationInputs, validation, network.CreateWorkspace());
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
                    var teacher = split.TeacherLogits is { } logits ? logits[r] : 0;
                    network.AccumulateGradient(fitInputs.AsSpan(r * width, width), fit.Label(r), teacher, loss, gradient, workspace);
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

                ApplyMask(parameters, keep);
            }

            var validationLoss = MeanLoss(network, validationInputs, validation, workspace);
            if (validationLoss < bestLoss - 1e-7)
            {
                bestLoss = validationLoss;
                bestEpoch = epoch;
                Array.Copy(parameters, best, parameters.Length);
            }

            if (epoch % 10 == 0)
            {
                progress?.Report($"epoch {epoch}: validation loss {validationLoss:F5} (best {bestLoss:F5} at epoch {bestEpoch})");
            }
        }

        Array.Copy(best, parameters, parameters.Length);
        network.RoundToSingle();
        return new TrainedModel(encoder, network, new TrainingSummary(fit.RowCount, validation.RowCount, epoch, bestEpoch, bestLoss));
    }

    private static void ApplyMask(double[] parameters, bool[]? keep)
    {
        if (keep is null)
        {
            return;
        }

        for (var i = 0; i < parameters.Length; i++)
        {
            if (!keep[i])
            {
                parameters[i] = 0;
            }
        }
    }

    internal static double[] EncodeAll(InputEncoder encoder, Dataset data)
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
            total += DistillationLoss.Softplus(z) - (data.Label(r) * z);
        }

        return total / data.RowCount;
    }
}
