namespace CreditEdge.Core.Rollout;

/// <summary>The check a breached probation names in <see cref="ProbationReport.BreachedCheck"/>, in the order they are judged.</summary>
public static class ProbationChecks
{
    /// <summary>
    /// Scoring with the new model failed <see cref="ProbationWatch.ErrorStreakLimit"/> times in a row, or, from
    /// <see cref="ProbationWatch.MinAttemptsForErrorRate"/> scoring attempts on, failed in more than
    /// <see cref="Packages.Rollout.ProbationCriteria.MaxErrorRate"/> of them.
    /// </summary>
    public const string Errors = "probation-errors";

    /// <summary>The PSI of the new model's scores against the package's reference is above <see cref="Packages.Rollout.ProbationCriteria.MaxScorePsi"/> (judged from <see cref="ProbationWatch.MinJudgedDecisions"/>).</summary>
    public const string Psi = "probation-psi";

    /// <summary>The new model's median latency is more than <see cref="Packages.Rollout.ProbationCriteria.MaxLatencyRatio"/> times the previous model's (judged from <see cref="ProbationWatch.MinJudgedDecisions"/>).</summary>
    public const string Latency = "probation-latency";
}
