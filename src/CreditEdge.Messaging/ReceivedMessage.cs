namespace CreditEdge.Messaging;

/// <summary>A message from the broker, copied out of the client so handlers may keep it.</summary>
public sealed record ReceivedMessage(string Topic, ReadOnlyMemory<byte> Payload, string? ResponseTopic, ReadOnlyMemory<byte> CorrelationData, bool Retained);
