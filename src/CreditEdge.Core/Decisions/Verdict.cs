using CreditEdge.Core.Policy;

namespace CreditEdge.Core.Decisions;

/// <summary>What the decision path concluded for one row; <see cref="ReasonCount"/> reasons were written beside it.</summary>
public readonly record struct Verdict(double Probability, int Score, Outcome Outcome, int ReasonCount);
