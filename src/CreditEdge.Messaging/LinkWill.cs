namespace CreditEdge.Messaging;

/// <summary>A retained QoS 1 Last Will the broker publishes when a link vanishes without a clean disconnect.</summary>
public sealed record LinkWill(string Topic, ReadOnlyMemory<byte> Payload);
