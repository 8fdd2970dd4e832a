using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CreditEdge.TestKit;
using CsCheck;

namespace CreditEdge.Agent.Tests;

/// <summary>
/// 100,000 hostile bodies (mutated golden applications and random bytes) posted to the real agent over Kestrel on
/// loopback, eight at a time: no 5xx, every 400 a problem+json naming README rules, every 200 a stored decision.
/// </summary>
public sealed class ScoreEndpointFuzzTests : IDisposable
{
    private static readonly HashSet<string> Rules =
        ["json", "body-size", "unknown-field", "duplicate", "required", "type", "finite", "range", "whole-number", "code", "length"];

    private readonly TempDirectory _data = new("fuzz");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task PostScore_HundredThousandHostileBodies_No5xxAndEveryAnswerWellFormed()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path, "--Storage:MaxOutbox=1000000");
        var seeds = GoldenSet.Records.Take(20).Select((r, i) => GoldenSet.RequestBody(r, $"kiosk-{i}")).ToArray();
        var bodies = HostileBodies.From(seeds).Array[100_000].Single();
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var failures = new ConcurrentQueue<string>();
        var accepted = new ConcurrentQueue<string>();

        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (body, ct) =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await agent.Client.PostAsync(new Uri("/v1/score", UriKind.Relative), content, ct);
            statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
            var text = await response.Content.ReadAsStringAsync(ct);
            var problem = Check(response, text, accepted);
            if (problem is not null && failures.Count < 20)
            {
                failures.Enqueue($"{problem}: body {Convert.ToBase64String(body)} → {(int)response.StatusCode} {text}");
            }
        });

        Assert.True(failures.IsEmpty, string.Join("\n", failures));
        Assert.Equal(100_000, statuses.Values.Sum());
        Assert.DoesNotContain(statuses.Keys, s => (int)s >= 500);
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.OK) > 100, $"statuses: {string.Join(", ", statuses.Select(s => $"{s.Key} {s.Value}"))}");
        foreach (var id in accepted.Take(200))
        {
            Assert.Equal(HttpStatusCode.OK, (await agent.Client.GetAsync(new Uri($"/v1/decisions/{id}", UriKind.Relative))).StatusCode);
        }
    }

    private static string? Check(HttpResponseMessage response, string text, ConcurrentQueue<string> accepted)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK:
                using (var json = JsonDocument.Parse(text))
                {
                    accepted.Enqueue(json.RootElement.GetProperty("decisionId").GetString()!);
                }

                return null;
            case HttpStatusCode.BadRequest:
                if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    return "400 without problem+json";
                }

                using (var json = JsonDocument.Parse(text))
                {
                    var errors = json.RootElement.GetProperty("errors").EnumerateArray().ToArray();
                    if (errors.Length == 0)
                    {
                        return "400 naming no error";
                    }

                    var unknown = errors.Select(e => e.GetProperty("rule").GetString()).FirstOrDefault(r => r is null || !Rules.Contains(r));
                    return unknown is null && errors.All(e => e.GetProperty("message").GetString() is { Length: > 0 }) ? null : $"unknown rule '{unknown}' or empty message";
                }

            default:
                return $"unexpected {(int)response.StatusCode}";
        }
    }
}
