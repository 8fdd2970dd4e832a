using System.Net;
using System.Text;
using System.Text.Json;
using CreditEdge.TestKit;
using Xunit.Abstractions;

namespace CreditEdge.Agent.Tests;

/// <summary>The agent over real Kestrel with its data directory on a real 6 MiB file system that fills up and empties again.</summary>
public sealed class DiskFullApiTests(ITestOutputHelper output) : IDisposable
{
    private readonly SmallDisk _disk = new(sizeMiB: 6);

    public void Dispose() => _disk.Dispose();

    [Fact]
    public async Task PostScore_DiskFullThenSpaceReturns_503WithReasonThenRecoversWithoutRestartAndLosesNothing()
    {
        await using var agent = await RunningAgent.StartAsync(_disk.Combine("data"), "--Storage:ProbeMinDelay=00:00:00.200", "--Storage:ProbeMaxDelay=00:00:01");
        var acknowledged = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            acknowledged.Add(await ScoreAsync(agent, i, HttpStatusCode.OK));
        }

        _disk.Fill();
        HttpResponseMessage? refused = null;
        for (var i = 20; i < 300 && refused is null; i++)
        {
            using var content = new StringContent(GoldenSet.RequestBody(GoldenSet.Records[i % GoldenSet.Records.Count], $"app-{i}"), Encoding.UTF8, "application/json");
            var response = await agent.Client.PostAsync(new Uri("/v1/score", UriKind.Relative), content);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                acknowledged.Add(json.RootElement.GetProperty("decisionId").GetString()!);
            }
            else
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        // while full: every new decision is refused naming the reason, readiness fails with it, the gauge says 0
        var problem = await agent.Client.PostAsync(new Uri("/v1/score", UriKind.Relative), new StringContent(GoldenSet.RequestBody(GoldenSet.Records[0]), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, problem.StatusCode);
        Assert.Contains("space", await problem.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var ready = await agent.Client.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("space", await ready.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("creditedge_store_writable 0", await agent.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await agent.Client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);

        var before = acknowledged.Count;
        var freed = DateTime.UtcNow;
        _disk.Free();
        await Eventually.HoldsAsync(() => agent.Client.GetAsync(new Uri("/readyz", UriKind.Relative)).GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "/readyz to recover by itself once space returned");
        var recovered = DateTime.UtcNow - freed;
        acknowledged.Add(await ScoreAsync(agent, 1000, HttpStatusCode.OK));
        output.WriteLine($"{before} decisions acknowledged before the disk refused; 503 while full; /readyz ready {recovered.TotalSeconds:F1} s after space returned; {acknowledged.Count} acknowledged in all, each read back");

        foreach (var id in acknowledged)
        {
            Assert.Equal(HttpStatusCode.OK, (await agent.Client.GetAsync(new Uri($"/v1/decisions/{id}", UriKind.Relative))).StatusCode);
        }
    }

    private static async Task<string> ScoreAsync(RunningAgent agent, int n, HttpStatusCode expected)
    {
        using var content = new StringContent(GoldenSet.RequestBody(GoldenSet.Records[n % GoldenSet.Records.Count], $"app-{n}"), Encoding.UTF8, "application/json");
        var response = await agent.Client.PostAsync(new Uri("/v1/score", UriKind.Relative), content);
        Assert.Equal(expected, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("decisionId").GetString()!;
    }
}
