using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

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

    private const string ResourcePrefix = "fleet/";

    private static readonly FrozenDictionary<string, PageFile> Files = Load();

    /// <summary>The names of the embedded files, e.g. <c>fleet.js</c>.</summary>
    public static IEnumerable<string> Names => Files.Keys;

    public static IResult Index(HttpContext context) => Serve(context, "index.html");

    public static IResult File(string file, HttpContext context) => Serve(context, file);

    private static IResult Serve(HttpContext context, string name)
    {
        if (!Files.TryGetValue(name, out var file))
        {
            return FleetProblems.NotFound($"the fleet page has no file '{name}'");
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ETag = file.Tag.ToString();
        headers.CacheControl = "no-cache";
        var ifNoneMatch = context.Request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0 && EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)
            && tags.Any(t => t.Compare(file.Tag, useStrongComparison: false) || t.Equals(EntityTagHeaderValue.Any)))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(file.Content, file.ContentType);
    }

    private static FrozenDictionary<string, PageFile> Load()
    {
        var assembly = typeof(FleetPageFiles).Assembly;
        var files = new Dictionary<string, PageFile>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var tag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}\"");
            files[resource[ResourcePrefix.Length..]] = new PageFile(content, ContentTypeOf(resource), tag);
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    private sealed record PageFile(byte[] Content, string ContentType, EntityTagHeaderValue Tag);
}
