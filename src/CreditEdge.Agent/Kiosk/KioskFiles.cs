using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

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

    private const string ResourcePrefix = "kiosk/";

    private static readonly FrozenDictionary<string, KioskFile> Files = Load();

    /// <summary>The names of the embedded files, e.g. <c>kiosk.js</c>.</summary>
    public static IEnumerable<string> Names => Files.Keys;

    public static IResult Index(HttpContext context) => Serve(context, "index.html");

    public static IResult File(string file, HttpContext context) => Serve(context, file);

    private static IResult Serve(HttpContext context, string name)
    {
        if (!Files.TryGetValue(name, out var file))
        {
            return Api.Problems.NotFound($"the kiosk page has no file '{name}'");
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ETag = file.ETag;
        // revalidate every time: a new agent version brings new files, and the 304 costs nothing on the device
        headers.CacheControl = "no-cache";
        var ifNoneMatch = context.Request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0 && EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)
            && tags.Any(t => t.Compare(file.Tag, useStrongComparison: false) || t.Equals(EntityTagHeaderValue.Any)))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(file.Content, file.ContentType);
    }

    private static FrozenDictionary<string, KioskFile> Load()
    {
        var assembly = typeof(KioskFiles).Assembly;
        var files = new Dictionary<string, KioskFile>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var name = resource[ResourcePrefix.Length..];
            var tag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}\"");
            files[name] = new KioskFile(content, ContentTypeOf(name), tag);
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };

    private sealed record KioskFile(byte[] Content, string ContentType, EntityTagHeaderValue Tag)
    {
        public string ETag => Tag.ToString();
    }
}
