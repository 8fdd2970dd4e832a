namespace CreditEdge.Core.Decisions;

/// <summary>Durable decisions. A decision returned by <see cref="SaveAsync"/> has reached the disk.</summary>
public interface IDecisionStore
{
    /// <summary>
    /// Stores the decision, its outbox record and its audit-chain link in one transaction and returns once they are
    /// durable. When the decision's idempotency key was used before, nothing is written and the earlier decision is returned.
    /// </summary>
    Task<Decision> SaveAsync(Decision decision, CancellationToken cancellationToken);

    Decision? Find(string decisionId);

    Decision? FindByIdempotencyKey(string idempotencyKey);

    /// <summary>True while the store can take writes.</summary>
    bool IsWritable { get; }

    /// <summary>Why the store takes no writes (e.g. the disk is full); null while it does.</summary>
    string? UnwritableReason { get; }

    /// <summary>How long the commit now running has been running; null while none is. A disk that stopped answering shows here.</summary>
    TimeSpan? CommitRunningFor { get; }
}

/// <summary>One wording of "the store cannot take a decision now" for the API, <c>/readyz</c> and the watchdog.</summary>
public static class DecisionStoreHealth
{
    /// <summary>
    /// Why <paramref name="store"/> cannot take a decision now — it is unwritable, or its disk has not finished a commit
    /// within <paramref name="stallAfter"/> — or null when it can.
    /// </summary>
    public static string? WriteProblem(this IDecisionStore store, TimeSpan stallAfter) =>
        !store.IsWritable ? $"the decision store cannot take writes: {store.UnwritableReason}"
        : store.CommitRunningFor is { } running && running > stallAfter ? $"the decision store's disk is not answering: a commit has been running for {running.TotalSeconds:F0} s"
        : null;
}
