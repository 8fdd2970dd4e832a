using CreditEdge.Web;

namespace CreditEdge.Agent.Kiosk;

/// <summary>
/// The kiosk page (Kiosk/wwwroot, embedded in the agent's assembly): served at <c>/</c> and <c>/kiosk/{file}</c> with a
/// strict Content-Security-Policy, <c>nosniff</c> and an ETag, so it works with no network beyond the agent itself.
/// </summary>
public static class KioskFiles
{
    /// <summary>Scripts, styles, images and API calls from the agent only; no inline script or style, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly EmbeddedPage Page = new(typeof(KioskFiles).Assembly, "kiosk/", ContentSecurityPolicy,
        name => Api.Problems.NotFound($"the kiosk page has no file '{name}'"));

    /// <summary>The names of the embedded files, e.g. <c>kiosk.js</c>.</summary>
    public static IEnumerable<string> Names => Page.Names;

    public static IResult Index(HttpContext context) => Page.Serve(context, "index.html");

    public static IResult File(string file, HttpContext context) => Page.Serve(context, file);
}
