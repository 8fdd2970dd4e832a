namespace CreditEdge.Messaging;

/// <summary>The host gathers a telemetry report; the publisher only sends it.</summary>
public interface ITelemetrySource
{
    /// <summary>Collects the report; drift counts start a new window.</summary>
    TelemetryReport Collect();
}
