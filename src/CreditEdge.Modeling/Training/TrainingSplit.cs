using CreditEdge.Modeling.Data;

namespace CreditEdge.Modeling.Training;

/// <summary>
/// The train split cut into a fit part and a validation slice (for early stopping and model choices; the test split is
/// never seen), the same cut for the same seed; teacher logits follow their rows.
/// </summary>
internal sealed class TrainingSplit
{
    private TrainingSplit(Dataset fit, Dataset validation, double[]? teacherLogits, Random random)
    {
        Fit = fit;
        Validation = validation;
        TeacherLogits = teacherLogits;
        Random = random;
    }

    public Dataset Fit { get; }

    public Dataset Validation { get; }

    /// <summary>One teacher logit per <see cref="Fit"/> row, or null.</summary>
    public double[]? TeacherLogits { get; }

    /// <summary>The seeded generator, already advanced past the cut; training continues with it.</summary>
    public Random Random { get; }

    public static TrainingSplit Create(Dataset train, TrainingOptions options, IReadOnlyList<double>? teacherLogits)
    {
        if (train.RowCount < 10)
        {
            throw new ArgumentException($"training needs at least 10 rows; it got {train.RowCount}", nameof(train));
        }

        if (teacherLogits is not null && teacherLogits.Count != train.RowCount)
        {
            throw new ArgumentException($"{train.RowCount} train rows need as many teacher logits; got {teacherLogits.Count}", nameof(teacherLogits));
        }

        var (fitRows, validationRows, random) = Cut(train.RowCount, options);
        return new TrainingSplit(
            train.Subset(fitRows),
            train.Subset(validationRows),
            teacherLogits is null ? null : fitRows.Select(r => teacherLogits[r]).ToArray(),
            random);
    }

    /// <summary>Row indices of the fit part and the validation slice (both ascending) for a train split of <paramref name="rows"/> rows.</summary>
    public static (int[] Fit, int[] Validation, Random Random) Cut(int rows, TrainingOptions options)
    {
        var random = new Random(options.Seed);
        var order = Enumerable.Range(0, rows).ToArray();
        random.Shuffle(order);
        var validationCount = Math.Clamp((int)Math.Round(rows * options.ValidationFraction), 1, rows - 1);
        return (order[validationCount..].Order().ToArray(), order[..validationCount].Order().ToArray(), random);
    }
}
