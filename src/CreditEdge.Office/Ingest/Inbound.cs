using MQTTnet;

namespace CreditEdge.Office.Ingest;

/// <summary>
/// A received message waiting for its batch. <see cref="Generation"/> names the connection that delivered it: only that
/// connection may acknowledge it (after a reconnect its packet id may name another message; the resumed session
/// delivers it again, and the second copy is a no-op in the database).
/// </summary>
internal sealed record Inbound(string Topic, byte[] Payload, MqttApplicationMessageReceivedEventArgs Delivery, long Generation);
