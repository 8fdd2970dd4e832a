using Microsoft.AspNetCore.Http;

namespace CreditEdge.Office.FleetPage;

/// <summary>The fleet API's problem+json answers: a <c>type</c> per kind of problem, the detail names the parameter and value.</summary>
internal static class FleetProblems
{
    public const string ContentType = "application/problem+json";

    public static IResult BadParameter(string parameter, string? value, string rule) => Write(
        "https://creditedge.dev/problems/fleet-parameter",
        "A query parameter is invalid",
        StatusCodes.Status400BadRequest,
        $"'{parameter}' {(value is null ? "is missing" : $"'{value}'")}: {rule}");

    public static IResult NotFound(string detail) => Write(
        "https://creditedge.dev/problems/not-found",
        "Not found",
        StatusCodes.Status404NotFound,
        detail);

    public static IResult DatabaseUnavailable(string detail) => Write(
        "https://creditedge.dev/problems/database-unavailable",
        "The office database does not answer",
        StatusCodes.Status503ServiceUnavailable,
        detail);

    private static IResult Write(string type, string title, int status, string detail) =>
        Results.Json(new { type, title, status, detail }, contentType: ContentType, statusCode: status);
}
