using CreditEdge.Modeling.Data;
using CreditEdge.Modeling.Evaluation;
using CreditEdge.Modeling.Onnx;
using CreditEdge.Modeling.Training;

namespace CreditEdge.Modeling.Pruning;

/// <summary>
/// Gradual magnitude pruning: from the trained student, each level in turn prunes the surviving weights of every layer
/// to the level's sparsity and fine-tunes with the distillation loss while the pruned weights stay zero. The deployed
/// level is the sparsest whose AUC on the validation slice (part of the TRAIN split) is at most
/// <see cref="PruningOptions.MaxAucLoss"/> below the unpruned student's; test AUC is reported, never used to choose.
/// </summary>
public static class PruningSearch
{
    public static PruningOutcome Run(TrainedModel student, Dataset train, Dataset test, IReadOnlyList<double> teacherLogits,
        TrainingOptions training, PruningOptions options, string workDirectory, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(options);
        var (_, validationRows, _) = TrainingSplit.Cut(train.RowCount, training);
        var validation = train.Subset(validationRows);
        var fineTune = training with { LearningRate = options.FineTuneLearningRate, MaxEpochs = options.FineTuneEpochs, Patience = options.FineTunePatience };

        var steps = new List<PruningStep>();
        var models = new List<TrainedModel>();
        var baseline = Measure(student, 0, validation, test, workDirectory);
        steps.Add(baseline);
        models.Add(student);
        var current = student;
        foreach (var level in options.Levels)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var keep = MagnitudePruner.Mask(current.Network, level);
            current = MlpTrainer.FineTune(current, train, fineTune, teacherLogits, keep, progress: null, cancellationToken);
            var step = Measure(current, level, validation, test, workDirectory);
            progress?.Report($"pruned {level:P0}: validation AUC {step.ValidationAuc:F4} (unpruned {baseline.ValidationAuc:F4}), test AUC {step.TestAuc:F4}, gzip {step.GzipBytes} B");
            steps.Add(step);
            models.Add(current);
        }

        var chosen = 0;
        for (var i = 1; i < steps.Count; i++)
        {
            if (baseline.ValidationAuc - steps[i].ValidationAuc <= options.MaxAucLoss)
            {
                chosen = i;
            }
        }

        return new PruningOutcome(steps, models[chosen], steps[chosen]);
    }

    private static PruningStep Measure(TrainedModel model, double target, Dataset validation, Dataset test, string workDirectory)
    {
        var path = Path.Combine(workDirectory, FormattableString.Invariant($"student.p{target * 100:00}.onnx"));
        OnnxModelWriter.Write(model, FormattableString.Invariant($"student pruned {target:P0}"), path);
        var validationAuc = BinaryMetrics.Auc(model.Predict(validation.Features, validation.RowCount), Labels(validation));
        var testAuc = BinaryMetrics.Auc(model.Predict(test.Features, test.RowCount), Labels(test));
        return new PruningStep(target, MagnitudePruner.Sparsity(model.Network), validationAuc, testAuc, new FileInfo(path).Length, VariantEvaluator.GzipSize(path));
    }

    private static int[] Labels(Dataset rows) => Enumerable.Range(0, rows.RowCount).Select(rows.Label).ToArray();
}
