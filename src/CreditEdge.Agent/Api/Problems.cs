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

    public static IResult TerminalKeyMissing() => Unauthorized(
        "terminal-key-missing",
        "A terminal key is required",
        "requests from this address need the terminal's key as 'Authorization: Bearer KEY' (cedge terminal add)");

    public static IResult TerminalKeyUnknown() => Unauthorized(
        "terminal-key-unknown",
        "The terminal key is not known",
        "the key sent in 'Authorization: Bearer KEY' is no terminal's key on this device");

    public static IResult TerminalKeyRevoked() => Unauthorized(
        "terminal-key-revoked",
        "The terminal key is revoked",
        "this terminal's key was revoked on this device (cedge terminal revoke); the terminal needs a new one");

    public static IResult TooManyRequests(int retryAfterSeconds) => new WithHeader(
        Write(new ProblemResponse(
            "https://creditedge.dev/problems/rate-limited",
            "Too many requests from this terminal",
            StatusCodes.Status429TooManyRequests,
            $"this terminal sent more requests than Api:TerminalRateLimit allows; retry after {retryAfterSeconds} s")),
        "Retry-After",
        retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static IResult NotFound(string detail) => Write(new ProblemResponse(
        "https://creditedge.dev/problems/not-found",
        "Not found",
        StatusCodes.Status404NotFound,
        detail));

    private static IResult Write(ProblemResponse problem) =>
        Results.Json(problem, ApiJson.Api.ProblemResponse, ContentType, problem.Status);

    private static WithHeader Unauthorized(string type, string title, string detail) => new(
        Write(new ProblemResponse("https://creditedge.dev/problems/" + type, title, StatusCodes.Status401Unauthorized, detail)),
        "WWW-Authenticate",
        "Bearer");

    /// <summary>A result with one more response header.</summary>
    private sealed class WithHeader(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
