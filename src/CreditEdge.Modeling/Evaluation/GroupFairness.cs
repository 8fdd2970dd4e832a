namespace CreditEdge.Modeling.Evaluation;

/// <summary>
/// Approval rate of one protected group, and its adverse impact ratio: its approval rate divided by that of the most
/// approved group of the same attribute (the four-fifths rule flags values below 0.8).
/// </summary>
public sealed record GroupFairness(string Attribute, string Group, int Rows, double ApprovalRate, double AdverseImpactRatio);
