using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CreditEdge.Agent.Api;

/// <summary>
/// The OpenAPI document of the local API (ASP.NET Core's OpenAPI support) at <see cref="Route"/>, for a handheld team
/// to generate a client from: every route with its answers, each error as <c>application/problem+json</c>.
/// </summary>
public static class ApiDocument
{
    public const string Route = "/openapi/{documentName}.json";

    public const string Json = "application/json";

    public static IHostApplicationBuilder AddApiDocument(this IHostApplicationBuilder builder)
    {
        // the document's schemas come from the same source-generated contract the API writes with
        // (numbers as the API writes them: the Web defaults' "read from string" would make every integer "integer or string")
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJson.Default);
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "CreditEdge agent",
                Version = "v1",
                Description = "The local scoring API of a CreditEdge device (kiosk or handheld). Errors are application/problem+json (RFC 9457); a 400 lists every bad field in `errors`.",
            };
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>Declares each status as an <c>application/problem+json</c> answer shaped like <see cref="ProblemResponse"/>.</summary>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder route, params int[] statusCodes)
    {
        foreach (var status in statusCodes)
        {
            route.Produces<ProblemResponse>(status, Problems.ContentType);
        }

        return route;
    }

    public static RouteHandlerBuilder ProducesText(this RouteHandlerBuilder route, params int[] statusCodes)
    {
        foreach (var status in statusCodes)
        {
            route.Produces<string>(status, "text/plain");
        }

        return route;
    }

    public static RouteHandlerBuilder ProducesHtml(this RouteHandlerBuilder route) => route.Produces<string>(200, "text/html");

    /// <summary>The kiosk page's script or style sheet.</summary>
    public static RouteHandlerBuilder ProducesPageFile(this RouteHandlerBuilder route) => route.Produces<string>(200, "text/javascript", "text/css");
}
