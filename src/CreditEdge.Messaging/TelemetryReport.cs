using CreditEdge.Core.Drift;
using CreditEdge.Core.Packages;

namespace CreditEdge.Messaging;

/// <summary>One telemetry message: counters, latency histogram, outbox, storage, model, device health and drift. No applicant data.</summary>
public sealed record TelemetryReport
{
    public required string DeviceId { get; init; }

    public required DateTimeOffset At { get; init; }

    public string? ModelId { get; init; }

    public string? ModelVersion { get; init; }

    public string? Variant { get; init; }

    /// <summary>Why this variant runs on this device: each variant's golden replay and measured µs on its CPU.</summary>
    public VariantChoice? VariantChoice { get; init; }

    /// <summary>Decisions since start, by outcome.</summary>
    public required IReadOnlyDictionary<string, long> Decisions { get; init; }

    /// <summary>Cumulative latency histogram: upper bound in seconds → count.</summary>
    public required IReadOnlyDictionary<string, long> LatencyBuckets { get; init; }

    public required long OutboxDepth { get; init; }

    public required long StorageBytes { get; init; }

    /// <summary>Why the decision store takes no writes (e.g. the disk is full); absent while it does.</summary>
    public string? StoreProblem { get; init; }

    public double? CpuTemperatureCelsius { get; init; }

    public long? MemoryAvailableBytes { get; init; }

    public long ProcessWorkingSetBytes { get; init; }

    /// <summary>Drift since the previous telemetry message.</summary>
    public DriftSnapshot? Drift { get; init; }
}
