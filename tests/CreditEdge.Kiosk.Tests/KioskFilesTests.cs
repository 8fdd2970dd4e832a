using System.Net;
using System.Net.Http.Headers;
using CreditEdge.Agent.Kiosk;
using CreditEdge.Agent.Tests;
using CreditEdge.TestKit;

namespace CreditEdge.Kiosk.Tests;

/// <summary>The page's files come out of the agent's assembly with their security and cache headers.</summary>
public sealed class KioskFilesTests : IDisposable
{
    private readonly TempDirectory _data = new("kiosk-files");

    public void Dispose() => _data.Dispose();

    [Theory]
    [InlineData("/", "text/html", "<html lang=\"en\">")]
    [InlineData("/kiosk/kiosk.js", "text/javascript", "'use strict';")]
    [InlineData("/kiosk/kiosk.css", "text/css", "@media print")]
    public async Task File_Served_WithPolicyTypeAndETag(string path, string mediaType, string content)
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        using var response = await agent.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
        Assert.Contains(content, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(KioskFiles.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(response.Headers.CacheControl!.NoCache);
        Assert.NotNull(response.Headers.ETag);

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var notModified = await agent.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        using var stale = new HttpRequestMessage(HttpMethod.Get, path);
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0000\""));
        using var fresh = await agent.Client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Theory]
    [InlineData("/kiosk/nothing.js")]
    [InlineData("/kiosk/..%2Fappsettings.json")]
    [InlineData("/kiosk/index.HTML")]
    public async Task UnknownFile_404ProblemJson(string path)
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        using var response = await agent.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public void Embedded_TheThreePageFiles()
    {
        Assert.Equal(["index.html", "kiosk.css", "kiosk.js"], KioskFiles.Names.Order(StringComparer.Ordinal));
    }
}
