namespace CreditEdge.Messaging;

/// <summary>The device's id on the fleet (the agent's <c>DeviceId</c>).</summary>
public sealed record DeviceIdentity(string DeviceId, string Group);
