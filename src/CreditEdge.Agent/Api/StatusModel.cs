namespace CreditEdge.Agent.Api;

/// <summary>The active package in <see cref="StatusResponse"/>; null there when no model is loaded.</summary>
public sealed record StatusModel(string Id, string Version);
