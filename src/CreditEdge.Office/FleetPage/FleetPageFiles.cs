using CreditEdge.Web;
using Microsoft.AspNetCore.Http;

namespace CreditEdge.Office.FleetPage;

/// <summary>
/// The fleet page (<c>wwwroot</c>, embedded in the office's assembly): served at <c>/</c> and <c>/fleet/{file}</c> with a
/// strict Content-Security-Policy (nothing from anywhere but the office, no inline script or style), <c>nosniff</c> and
/// an ETag.
/// </summary>
public static class FleetPageFiles
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly EmbeddedPage Page = new(typeof(FleetPageFiles).Assembly, "fleet/", ContentSecurityPolicy,
        name => FleetProblems.NotFound($"the fleet page has no file '{name}'"));

    /// <summary>The names of the embedded files, e.g. <c>fleet.js</c>.</summary>
    public static IEnumerable<string> Names => Page.Names;

    public static IResult Index(HttpContext context) => Page.Serve(context, "index.html");

    public static IResult File(string file, HttpContext context) => Page.Serve(context, file);
}
