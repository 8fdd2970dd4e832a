namespace CreditEdge.Core.Sync;

/// <summary>A decision waiting to be published: its place in the outbox, its id, and the JSON to send.</summary>
public sealed record OutboxRecord(long Sequence, string DecisionId, string Payload);
