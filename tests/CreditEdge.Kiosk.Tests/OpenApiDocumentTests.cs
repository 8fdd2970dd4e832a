using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CreditEdge.Agent.Tests;
using CreditEdge.TestKit;

namespace CreditEdge.Kiosk.Tests;

/// <summary>The OpenAPI document the agent serves describes every route the README publishes.</summary>
public sealed partial class OpenApiDocumentTests : IDisposable
{
    private const string DocumentRoute = "/openapi/v1.json";

    private readonly TempDirectory _data = new("kiosk-openapi");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Document_ListsEveryRouteOfTheReadmeApiTable()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        using var response = await agent.Client.GetAsync(DocumentRoute);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = root.GetProperty("paths");

        var routes = ReadmeRoutes();
        Assert.True(routes.Count >= 10, $"the README's API table lists only {routes.Count} routes");
        var missing = new List<string>();
        foreach (var (method, path) in routes)
        {
            if (path == DocumentRoute)
            {
                continue; // the document itself: fetched above
            }

            if (!paths.TryGetProperty(path, out var item) || !item.TryGetProperty(method.ToLowerInvariant(), out _))
            {
                missing.Add($"{method} {path}");
            }
        }

        Assert.True(missing.Count == 0, $"not in {DocumentRoute}: {string.Join(", ", missing)}");

        // a generated client names its methods by operationId: every operation has its own
        var operationIds = paths.EnumerateObject().SelectMany(p => p.Value.EnumerateObject())
            .Select(o => o.Value.TryGetProperty("operationId", out var id) ? id.GetString() : null).ToList();
        Assert.DoesNotContain(null, operationIds);
        Assert.Equal(operationIds.Count, operationIds.Distinct().Count());
        Assert.Contains(routes, r => r.Path == DocumentRoute);
    }

    [Fact]
    public async Task Document_ErrorsAreProblemJsonWithFieldErrors()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        using var document = JsonDocument.Parse(await agent.Client.GetStringAsync(DocumentRoute));
        var root = document.RootElement;
        var schemas = root.GetProperty("components").GetProperty("schemas");
        var problem = schemas.GetProperty("ProblemResponse").GetProperty("properties");
        foreach (var name in new[] { "type", "title", "status", "detail", "errors" })
        {
            Assert.True(problem.TryGetProperty(name, out _), $"ProblemResponse has no '{name}'");
        }

        var error = schemas.GetProperty("ValidationProblem").GetProperty("properties");
        foreach (var name in new[] { "field", "value", "rule", "message" })
        {
            Assert.True(error.TryGetProperty(name, out _), $"ValidationProblem has no '{name}'");
        }

        var score = root.GetProperty("paths").GetProperty("/v1/score").GetProperty("post");
        Assert.Equal("#/components/schemas/ScoreRequestDocument",
            score.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        var responses = score.GetProperty("responses");
        Assert.Equal("#/components/schemas/DecisionResponse", SchemaRef(responses, "200", "application/json"));
        foreach (var status in new[] { "400", "401", "503" })
        {
            Assert.Equal("#/components/schemas/ProblemResponse", SchemaRef(responses, status, "application/problem+json"));
        }

        var decision = root.GetProperty("paths").GetProperty("/v1/decisions/{decisionId}").GetProperty("get").GetProperty("responses");
        Assert.Equal("#/components/schemas/ProblemResponse", SchemaRef(decision, "404", "application/problem+json"));
        var status200 = root.GetProperty("paths").GetProperty("/v1/status").GetProperty("get").GetProperty("responses");
        Assert.Equal("#/components/schemas/StatusResponse", SchemaRef(status200, "200", "application/json"));
        Assert.True(schemas.GetProperty("ModelResponse").GetProperty("properties").TryGetProperty("policy", out _));
        Assert.Equal("integer", problem.GetProperty("status").GetProperty("type").GetString());
    }

    [Fact]
    public async Task ProblemSchema_MatchesARealProblemAnswer()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        using var document = JsonDocument.Parse(await agent.Client.GetStringAsync(DocumentRoute));
        var declared = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("ProblemResponse").GetProperty("properties")
            .EnumerateObject().Select(p => p.Name).ToHashSet();
        using var content = new StringContent("""{"features":{"AGE":"x"}}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await agent.Client.PostAsync("/v1/score", content);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        foreach (var property in answer.RootElement.EnumerateObject())
        {
            Assert.Contains(property.Name, declared);
        }
    }

    /// <summary>Every <c>| `METHOD /path` | … |</c> row of the README's "Local HTTP API" table.</summary>
    public static IReadOnlyList<(string Method, string Path)> ReadmeRoutes()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var start = readme.IndexOf("## Local HTTP API", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '## Local HTTP API' section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];
        return section.Split('\n')
            .Select(line => RouteRow().Match(line))
            .Where(m => m.Success)
            .Select(m => (m.Groups["method"].Value, m.Groups["path"].Value))
            .ToList();
    }

    private static string? SchemaRef(JsonElement responses, string status, string mediaType) =>
        responses.GetProperty(status).GetProperty("content").GetProperty(mediaType).GetProperty("schema").GetProperty("$ref").GetString();

    [GeneratedRegex(@"^\|\s*`(?<method>GET|POST|PUT|DELETE|PATCH) (?<path>/[^`\s]*)`")]
    private static partial Regex RouteRow();
}
