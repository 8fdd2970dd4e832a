using CreditEdge.Core.Schema;

namespace CreditEdge.Agent.Api;

/// <summary>An <c>application/problem+json</c> body (RFC 9457) with every validation problem in <see cref="Errors"/>.</summary>
public sealed record ProblemResponse(string Type, string Title, int Status, string Detail, IReadOnlyList<ValidationProblem>? Errors = null);
