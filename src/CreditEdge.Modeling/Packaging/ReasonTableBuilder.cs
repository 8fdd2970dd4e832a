using CreditEdge.Core.Policy;
using CreditEdge.Modeling.Data;

namespace CreditEdge.Modeling.Packaging;

/// <summary>
/// One reason code per feature (R01, R02, … in manifest order). Each feature's reference is what a typical
/// non-defaulting training applicant has: the median for numeric features, the most frequent code for categorical ones.
/// </summary>
public static class ReasonTableBuilder
{
    public static IReadOnlyList<ReasonCode> Build(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        var goods = Enumerable.Range(0, train.RowCount).Where(r => train.Label(r) == 0).ToArray();
        if (goods.Length == 0)
        {
            throw new ArgumentException("the training split has no non-defaulting rows to take reference values from", nameof(train));
        }

        var inputs = train.Schema.Inputs;
        var reasons = new List<ReasonCode>(inputs.Count);
        for (var f = 0; f < inputs.Count; f++)
        {
            var column = inputs[f];
            var values = goods.Select(r => train.Row(r)[f]).ToArray();
            var reference = column.Role == ColumnRole.Categorical ? Mode(values) : Median(values);
            reasons.Add(new ReasonCode
            {
                Code = $"R{f + 1:D2}",
                Feature = column.Name,
                Text = TextOf(column),
                ApplicantText = column.ApplicantText,
                ApplicantTextHigh = column.ApplicantTextHigh,
                ApplicantTextLow = column.ApplicantTextLow,
                Reference = reference,
            });
        }

        return reasons;
    }

    /// <summary>The schema's reason text, or the description with the column name.</summary>
    public static string TextOf(DatasetColumn column)
    {
        ArgumentNullException.ThrowIfNull(column);
        return column.ReasonText ?? $"{column.Description ?? column.Name} ({column.Name})";
    }

    private static float Median(float[] values)
    {
        Array.Sort(values);
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (float)((values[mid - 1] + (double)values[mid]) / 2);
    }

    /// <summary>The most frequent value; ties go to the smallest code index.</summary>
    private static float Mode(float[] values) =>
        values.GroupBy(v => v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
}
