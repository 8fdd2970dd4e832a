namespace CreditEdge.Office.Ingest;

/// <summary>A decision as stored in <c>decisions</c>; <see cref="Body"/> is the message as received (canonical decision JSON).</summary>
internal sealed record DecisionRow(string DecisionId, DateTimeOffset CreatedAt, string DeviceId, string Outcome, int Score, double Probability,
    string ModelId, string ModelVersion, string? TerminalId, string Body);

/// <summary>One telemetry message and the per-feature PSI of its drift snapshot.</summary>
internal sealed record TelemetryRow(string DeviceId, DateTimeOffset At, string Body, IReadOnlyList<KeyValuePair<string, double>> Drift);

/// <summary>
/// A retained status message: the <c>devices</c> row is updated only by a newer one — by <see cref="Order"/>: the
/// connection it belongs to (<see cref="ConnectedAt"/>, or <see cref="At"/> from an agent that does not say), within one
/// connection "offline" after "online" (its Last Will was made at connect, before the "online"), then <see cref="At"/>.
/// </summary>
internal sealed record StatusRow(string DeviceId, string State, string? AgentVersion, string? ModelId, string? ModelVersion, string? Variant,
    string? Locked, DateTimeOffset At, string Body, DateTimeOffset? ConnectedAt = null)
{
    public (DateTimeOffset Connection, bool Offline, DateTimeOffset At) Order => (ConnectedAt ?? At, State == "offline", At);
}

/// <summary>One step of a model update.</summary>
internal sealed record ModelEventRow(string DeviceId, DateTimeOffset At, string Event, long Sequence, string? ModelId, string? Version, string Body);

/// <summary>
/// A message that could not be stored as what its topic says, kept with the reason. <see cref="Payload"/> is at most
/// <see cref="MaxKeptBytes"/> of it; <see cref="Digest"/> (SHA-256 of topic and the whole payload) makes a re-delivered
/// copy a no-op.
/// </summary>
internal sealed record RejectedRow(string Topic, byte[] Payload, string Reason, byte[] Digest)
{
    public const int MaxKeptBytes = 64 * 1024;

    public static RejectedRow Of(string topic, byte[] payload, string reason)
    {
        var topicBytes = System.Text.Encoding.UTF8.GetBytes(topic);
        var all = new byte[topicBytes.Length + 1 + payload.Length];
        topicBytes.CopyTo(all, 0);
        payload.CopyTo(all, topicBytes.Length + 1);
        var kept = payload.Length > MaxKeptBytes ? payload[..MaxKeptBytes] : payload;
        return new RejectedRow(topic, kept, reason, System.Security.Cryptography.SHA256.HashData(all));
    }
}
