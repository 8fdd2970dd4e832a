namespace CreditEdge.Core.Policy;

/// <summary>
/// Principal reasons by reference substitution: row 0 of a batch is the applicant, row i+1 the applicant with
/// feature i set to its reference value. A feature's contribution is p(applicant) − p(row i+1): how much
/// the applicant's own value raised the probability of default over the reference. The model is scored once
/// for the whole batch, and static int8/fp32 graphs are batch-invariant, so row 0 is the decision's probability.
/// A reason's applicant text is the row's <see cref="ReasonCode.ApplicantTextHigh"/> when the applicant's value is above
/// the reference, <see cref="ReasonCode.ApplicantTextLow"/> when below, otherwise (or when that one is missing)
/// <see cref="ReasonCode.ApplicantText"/>; a row with none gives no applicant text (the staff text serves both).
/// </summary>
public sealed class ReasonAttribution
{
    /// <summary>At most this many reasons are given with a decision.</summary>
    public const int MaxReasons = 4;

    /// <summary>Contributions at or below this are noise, not reasons.</summary>
    public const float MinContribution = 1e-6f;

    private readonly float[] _references;
    private readonly Reason[] _reasons;
    private readonly Reason[] _reasonsHigh;
    private readonly Reason[] _reasonsLow;

    public ReasonAttribution(IReadOnlyList<string> featureOrder, IReadOnlyList<ReasonCode> table)
    {
        ArgumentNullException.ThrowIfNull(featureOrder);
        ArgumentNullException.ThrowIfNull(table);
        _references = new float[featureOrder.Count];
        _reasons = new Reason[featureOrder.Count];
        _reasonsHigh = new Reason[featureOrder.Count];
        _reasonsLow = new Reason[featureOrder.Count];
        for (var i = 0; i < featureOrder.Count; i++)
        {
            var row = table.FirstOrDefault(r => r.Feature == featureOrder[i])
                ?? throw new ArgumentException($"the reason-code table has no row for feature '{featureOrder[i]}'", nameof(table));
            _references[i] = row.Reference;
            _reasons[i] = new Reason(row.Code, row.Feature, row.Text, row.ApplicantText);
            _reasonsHigh[i] = row.ApplicantTextHigh is { } high ? _reasons[i] with { ApplicantText = high } : _reasons[i];
            _reasonsLow[i] = row.ApplicantTextLow is { } low ? _reasons[i] with { ApplicantText = low } : _reasons[i];
        }
    }

    public int FeatureCount => _references.Length;

    /// <summary>Rows in the batch that <see cref="FillBatch"/> writes.</summary>
    public int BatchRows => _references.Length + 1;

    /// <summary>Writes the applicant row and one substituted row per feature into <paramref name="batch"/>.</summary>
    public void FillBatch(ReadOnlySpan<float> applicant, Span<float> batch)
    {
        var f = _references.Length;
        applicant.CopyTo(batch);
        for (var i = 0; i < f; i++)
        {
            var row = batch.Slice((i + 1) * f, f);
            applicant.CopyTo(row);
            row[i] = _references[i];
        }
    }

    /// <summary>
    /// Picks up to <see cref="MaxReasons"/> features with the largest positive contribution, largest first,
    /// ties by manifest order. <paramref name="probabilities"/> holds one probability per batch row. Each reason carries
    /// the direction-free applicant text; <see cref="Select(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{Reason})"/>
    /// picks the directional one.
    /// </summary>
    public int Select(ReadOnlySpan<float> probabilities, Span<Reason> reasons) => Select([], probabilities, reasons);

    /// <summary>
    /// As <see cref="Select(ReadOnlySpan{float}, Span{Reason})"/>, with each reason's applicant text chosen by comparing
    /// <paramref name="applicant"/> (the row given to <see cref="FillBatch"/>) with the reason's reference.
    /// An empty <paramref name="applicant"/> gives the direction-free text.
    /// </summary>
    public int Select(ReadOnlySpan<float> applicant, ReadOnlySpan<float> probabilities, Span<Reason> reasons)
    {
        if (!applicant.IsEmpty && applicant.Length != _references.Length)
        {
            throw new ArgumentException($"the applicant row has {applicant.Length} values; the model takes {_references.Length}", nameof(applicant));
        }

        Span<int> best = stackalloc int[MaxReasons];
        Span<float> bestContribution = stackalloc float[MaxReasons];
        var count = 0;
        var p0 = probabilities[0];
        for (var i = 0; i < _references.Length; i++)
        {
            var contribution = p0 - probabilities[i + 1];
            if (!(contribution > MinContribution))
            {
                continue;
            }

            // insertion into a sorted list of at most MaxReasons
            var at = count;
            while (at > 0 && bestContribution[at - 1] < contribution)
            {
                at--;
            }

            if (at >= MaxReasons)
            {
                continue;
            }

            var last = Math.Min(count, MaxReasons - 1);
            for (var j = last; j > at; j--)
            {
                best[j] = best[j - 1];
                bestContribution[j] = bestContribution[j - 1];
            }

            best[at] = i;
            bestContribution[at] = contribution;
            count = Math.Min(count + 1, MaxReasons);
        }

        var written = Math.Min(count, reasons.Length);
        for (var k = 0; k < written; k++)
        {
            var i = best[k];
            reasons[k] = applicant.IsEmpty ? _reasons[i]
                : applicant[i] > _references[i] ? _reasonsHigh[i]
                : applicant[i] < _references[i] ? _reasonsLow[i]
                : _reasons[i];
        }

        return written;
    }
}
