namespace CreditEdge.Modeling.Evaluation;

/// <summary>How far a candidate variant (int8) strays from a reference variant (fp32) on the same rows.</summary>
/// <param name="ApproveFlips">Share of rows on the other side of the approve cutoff.</param>
/// <param name="DeclineFlips">Share of rows on the other side of the decline cutoff.</param>
/// <param name="ReasonSetChanged">Share of rows whose set of top-4 reason codes differs.</param>
/// <param name="ReasonOrderChanged">Share of rows whose ordered list of top-4 reason codes differs (stricter).</param>
public sealed record ParityResult(string Reference, string Candidate, double MaxAbsDelta, double MeanAbsDelta,
    double ApproveFlips, double DeclineFlips, double ReasonSetChanged, double ReasonOrderChanged);
