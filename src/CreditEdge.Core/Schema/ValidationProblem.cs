namespace CreditEdge.Core.Schema;

/// <summary>One thing wrong with a request: which field, what value, which rule it broke, in words.</summary>
public sealed record ValidationProblem(string Field, string? Value, string Rule, string Message);
