namespace CreditEdge.Agent.Scoring;

/// <summary>How a score request ended.</summary>
public enum ScoreStatus
{
    Decided,
    Replayed,
    Invalid,
    NoModel,
    StoreUnavailable,
}
