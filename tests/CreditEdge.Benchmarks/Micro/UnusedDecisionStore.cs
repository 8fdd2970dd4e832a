using CreditEdge.Core.Decisions;

namespace CreditEdge.Benchmarks.Micro;

/// <summary>
/// Stands in for the store in <see cref="Agent.Scoring.ScoringService"/>'s constructor: the benchmarked
/// <c>Decide</c> never touches storage, so any call here is a bug in the benchmark.
/// </summary>
public sealed class UnusedDecisionStore : IDecisionStore
{
    public bool IsWritable => throw Unused();

    public string? UnwritableReason => throw Unused();

    public TimeSpan? CommitRunningFor => throw Unused();

    public Task<Decision> SaveAsync(Decision decision, CancellationToken cancellationToken) => throw Unused();

    public Decision? Find(string decisionId) => throw Unused();

    public Decision? FindByIdempotencyKey(string idempotencyKey) => throw Unused();

    private static NotSupportedException Unused() => new("the in-process decision benchmark must not reach the store");
}
