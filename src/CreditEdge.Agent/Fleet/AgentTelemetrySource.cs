using CreditEdge.Agent.Models;
using CreditEdge.Agent.Observability;
using CreditEdge.Core.Policy;
using CreditEdge.Messaging;
using CreditEdge.Storage;

namespace CreditEdge.Agent.Fleet;

/// <summary>Gathers the telemetry report from the agent's counters, store, model and board.</summary>
internal sealed class AgentTelemetrySource(DeviceIdentity identity, AgentMetrics metrics, LiteDecisionStore store, ModelHost models, TimeProvider time) : ITelemetrySource
{
    public TelemetryReport Collect()
    {
        var model = models.Current;
        return new TelemetryReport
        {
            DeviceId = identity.DeviceId,
            At = time.GetUtcNow(),
            ModelId = model?.Ref.Id,
            ModelVersion = model?.Ref.Version,
            Variant = model?.Ref.Variant,
            VariantChoice = model?.Choice,
            Decisions = Enum.GetValues<Outcome>().ToDictionary(o => o.ToString().ToLowerInvariant(), metrics.DecisionCount),
            LatencyBuckets = metrics.LatencyBuckets(),
            OutboxDepth = store.Depth,
            StorageBytes = store.SizeBytes,
            StoreProblem = store.UnwritableReason,
            CpuTemperatureCelsius = DeviceHealth.CpuTemperatureCelsius(),
            MemoryAvailableBytes = DeviceHealth.MemoryAvailableBytes(),
            ProcessWorkingSetBytes = Environment.WorkingSet,
            Drift = model?.Drift.Snapshot(reset: true),
        };
    }
}
