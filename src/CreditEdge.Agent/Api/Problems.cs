using CreditEdge.Core.Schema;

namespace CreditEdge.Agent.Api;

/// <summary>The API's problem+json answers.</summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    public static IResult Invalid(IReadOnlyList<ValidationProblem> errors) => Write(new ProblemResponse(
        "https://creditedge.dev/problems/invalid-application",
        "The application has invalid fields",
        StatusCodes.Status400BadRequest,
        errors.Count == 1 ? errors[0].Message : $"{errors.Count} problems: " + string.Join("; ", errors.Select(e => e.Message)),
        errors));

    public static IResult Unavailable(string detail) => Write(new ProblemResponse(
        "https://creditedge.dev/problems/unavailable",
        "The agent cannot decide right now",
        StatusCodes.Status503ServiceUnavailable,
        detail));

    public static IResult Unauthorized() => Write(new ProblemResponse(
        "https://creditedge.dev/problems/terminal-key",
        "A valid terminal key is required",
        StatusCodes.Status401Unauthorized,
        "send the terminal's key as 'Authorization: Bearer KEY'"));

    public static IResult NotFound(string detail) => Write(new ProblemResponse(
        "https://creditedge.dev/problems/not-found",
        "Not found",
        StatusCodes.Status404NotFound,
        detail));

    private static IResult Write(ProblemResponse problem) =>
        Results.Json(problem, ApiJson.Api.ProblemResponse, ContentType, problem.Status);
}
