namespace CreditEdge.Messaging.Transfer;

/// <summary>One message received on the transfer connection: its topic and a copy of its payload.</summary>
internal sealed record ChunkMessage(string Topic, byte[] Payload);
