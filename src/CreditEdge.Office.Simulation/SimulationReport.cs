namespace CreditEdge.Office.Simulation;

/// <summary>What a simulation did: devices connected, messages the broker acknowledged, the send window.</summary>
public sealed record SimulationReport
{
    public required int Devices { get; init; }

    public required int Connected { get; init; }

    public required TimeSpan ConnectTime { get; init; }

    /// <summary>Decisions the broker acknowledged (PUBACK): each must reach the office exactly once.</summary>
    public required long DecisionsAcknowledged { get; init; }

    /// <summary>Decision publishes that failed (no PUBACK, or an error reason); not counted as sent.</summary>
    public required long DecisionsFailed { get; init; }

    public required long TelemetryMessages { get; init; }

    public required long ModelUpdates { get; init; }

    /// <summary>When the first and the last decision was made (UTC): the send window.</summary>
    public required DateTimeOffset SendStarted { get; init; }

    public required DateTimeOffset SendEnded { get; init; }

    /// <summary>CPU time this process used (user + system) over the whole run: the simulator shares the machine too.</summary>
    public required TimeSpan ProcessorTime { get; init; }

    /// <summary>Acknowledged decisions per second over the send window.</summary>
    public double SentPerSecond => DecisionsAcknowledged / Math.Max(1e-9, (SendEnded - SendStarted).TotalSeconds);
}
