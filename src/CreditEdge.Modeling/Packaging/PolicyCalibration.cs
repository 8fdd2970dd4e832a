using CreditEdge.Core.Policy;
using CreditEdge.Modeling.Evaluation;

namespace CreditEdge.Modeling.Packaging;

/// <summary>
/// The score policy of a new package: PDO 20, 600 points at odds 50:1, and cutoffs read off the training
/// population — approve the best 60 % (the 40th percentile of train scores), decline the worst 10 %
/// (the 10th percentile), refer the rest to a person.
/// </summary>
public static class PolicyCalibration
{
    public const double Pdo = 20;
    public const double BaseScore = 600;
    public const double BaseOdds = 50;

    /// <summary>Share of training applicants the approve cutoff lets through.</summary>
    public const double ApproveShare = 0.60;

    /// <summary>Share of training applicants below the decline cutoff.</summary>
    public const double DeclineShare = 0.10;

    /// <summary>Builds the policy from the probabilities the shipped model gives the training rows.</summary>
    public static ScorePolicy FromTrainingProbabilities(IEnumerable<double> trainProbabilities)
    {
        var scaling = new ScorePolicy { Pdo = Pdo, BaseScore = BaseScore, BaseOdds = BaseOdds, ApproveMinScore = 0, DeclineBelowScore = 0 };
        var scores = trainProbabilities.Select(p => (double)scaling.Score(p)).Order().ToArray();
        return scaling with
        {
            ApproveMinScore = (int)Math.Round(Quantiles.Of(scores, 1 - ApproveShare), MidpointRounding.AwayFromZero),
            DeclineBelowScore = (int)Math.Round(Quantiles.Of(scores, DeclineShare), MidpointRounding.AwayFromZero),
        };
    }
}
