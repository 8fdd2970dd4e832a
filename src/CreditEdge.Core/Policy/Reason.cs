namespace CreditEdge.Core.Policy;

/// <summary>A principal reason given with a decision.</summary>
public sealed record Reason(string Code, string Feature, string Text);
