namespace CreditEdge.Messaging;

/// <summary>A received message and how to acknowledge it (PUBACK) once every handler has finished with it.</summary>
internal sealed record InboundMessage(ReceivedMessage Message, Func<CancellationToken, Task> AcknowledgeAsync);
