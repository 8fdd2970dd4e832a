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
}
