using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace CreditEdge.Web;

/// <summary>
/// A web page whose files are embedded in an assembly (resources named <c>{prefix}{file}</c>), served with a strict
/// Content-Security-Policy, <c>nosniff</c>, no referrer and an ETag (revalidated every time: a new version brings new
/// files, and a 304 costs nothing). The kiosk page of the agent and the office's fleet page are served by it; this file is
/// compiled into both (src/Shared).
/// </summary>
internal sealed class EmbeddedPage
{
    private readonly FrozenDictionary<string, PageFile> _files;
    private readonly string _contentSecurityPolicy;
    private readonly Func<string, IResult> _notFound;

    /// <param name="notFound">The answer for a file the page does not have (a problem+json 404 naming it).</param>
    public EmbeddedPage(Assembly assembly, string resourcePrefix, string contentSecurityPolicy, Func<string, IResult> notFound)
    {
        _contentSecurityPolicy = contentSecurityPolicy;
        _notFound = notFound;
        var files = new Dictionary<string, PageFile>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(resourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var name = resource[resourcePrefix.Length..];
            var tag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}\"");
            files[name] = new PageFile(content, ContentTypeOf(name), tag);
        }

        _files = files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The names of the embedded files, e.g. <c>index.html</c>.</summary>
    public IEnumerable<string> Names => _files.Keys;

    public IResult Serve(HttpContext context, string name)
    {
        if (!_files.TryGetValue(name, out var file))
        {
            return _notFound(name);
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = _contentSecurityPolicy;
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

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };

    private sealed record PageFile(byte[] Content, string ContentType, EntityTagHeaderValue Tag);
}
