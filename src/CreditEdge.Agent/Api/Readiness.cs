using CreditEdge.Agent.Hardware;
using CreditEdge.Agent.Models;
using CreditEdge.Agent.Options;
using CreditEdge.Core.Decisions;
using CreditEdge.Storage;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Api;

/// <summary>Why the agent cannot take a decision now: one list for <c>/readyz</c> and <c>/v1/status</c>.</summary>
internal sealed class Readiness(ModelHost models, LiteDecisionStore store, TamperLock tamperLock, IOptions<StorageOptions> storage)
{
    /// <summary>Every reason, in words; empty when the agent is ready.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (tamperLock.RefusalReason is { } locked)
        {
            problems.Add(locked);
        }

        if (models.Current is null)
        {
            problems.Add("no model loaded: " + (models.LoadError ?? "none configured"));
        }

        if (store.WriteProblem(storage.Value.StallAfter) is { } storeProblem)
        {
            problems.Add(storeProblem);
        }

        if (store.IsOutboxFull)
        {
            problems.Add($"outbox full ({store.Depth} decisions waiting for sync): new decisions are refused");
        }

        return problems;
    }
}
