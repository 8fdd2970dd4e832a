using CreditEdge.Core.Packages;

namespace CreditEdge.Inference;

/// <summary>A golden record and the line of <c>golden.jsonl</c> it came from.</summary>
public readonly record struct GoldenLine(int LineNumber, GoldenRecord Record);
