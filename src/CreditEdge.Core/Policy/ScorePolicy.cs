namespace CreditEdge.Core.Policy;

/// <summary>
/// Turns a probability of default into score points by the PDO convention and the points into an outcome.
/// points = offset + factor · ln(odds good), factor = PDO / ln 2, offset = BaseScore − factor · ln(BaseOdds).
/// </summary>
public sealed record ScorePolicy
{
    /// <summary>Points to double the odds of good (e.g. 20).</summary>
    public required double Pdo { get; init; }

    /// <summary>The score given at <see cref="BaseOdds"/> (e.g. 600).</summary>
    public required double BaseScore { get; init; }

    /// <summary>Odds good:bad that earn <see cref="BaseScore"/> (e.g. 50 for 50:1).</summary>
    public required double BaseOdds { get; init; }

    /// <summary>Scores at or above this are approved.</summary>
    public required int ApproveMinScore { get; init; }

    /// <summary>Scores below this are declined; scores between the two cutoffs are referred to a person.</summary>
    public required int DeclineBelowScore { get; init; }

    /// <summary>How far probabilities are kept from 0 and 1 so the log-odds stay finite.</summary>
    public const double ProbabilityFloor = 1e-9;

    public double Factor => Pdo / Math.Log(2);

    public double Offset => BaseScore - (Factor * Math.Log(BaseOdds));

    /// <summary>Unrounded points for a probability of default.</summary>
    public double Points(double probabilityOfDefault)
    {
        var p = Math.Clamp(probabilityOfDefault, ProbabilityFloor, 1 - ProbabilityFloor);
        return Offset + (Factor * Math.Log((1 - p) / p));
    }

    /// <summary>The score shown and stored: points rounded half away from zero.</summary>
    public int Score(double probabilityOfDefault) => (int)Math.Round(Points(probabilityOfDefault), MidpointRounding.AwayFromZero);

    public Outcome Decide(int score) =>
        score >= ApproveMinScore ? Outcome.Approve
        : score < DeclineBelowScore ? Outcome.Decline
        : Outcome.Refer;

    /// <summary>Names every reason this policy cannot be used; empty when it can.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!(Pdo > 0) || !double.IsFinite(Pdo))
        {
            problems.Add($"policy.pdo must be a positive number (is {Pdo})");
        }

        if (!(BaseOdds > 0) || !double.IsFinite(BaseOdds))
        {
            problems.Add($"policy.baseOdds must be a positive number (is {BaseOdds})");
        }

        if (!double.IsFinite(BaseScore))
        {
            problems.Add("policy.baseScore must be finite");
        }

        if (DeclineBelowScore > ApproveMinScore)
        {
            problems.Add($"policy.declineBelowScore ({DeclineBelowScore}) is above policy.approveMinScore ({ApproveMinScore})");
        }

        return problems;
    }
}
