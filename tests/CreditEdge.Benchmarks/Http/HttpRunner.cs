using System.Net;

namespace CreditEdge.Benchmarks.Http;

/// <summary>Starts the real agent on loopback and runs the open-loop rates, then the closed loop, against it.</summary>
public static class HttpRunner
{
    public static async Task<IReadOnlyList<LoadResult>> RunAsync(BenchmarkArgs options, CancellationToken cancellationToken)
    {
        await using var agent = await AgentUnderTest.StartAsync(cancellationToken);
        using var client = LoadGenerator.CreateClient(agent.BaseAddress);
        await CheckReadyAsync(client, cancellationToken);

        var generator = new LoadGenerator(client, GoldenBodies.All);
        var results = new List<LoadResult>();
        foreach (var rate in options.Rates)
        {
            Console.WriteLine($"HTTP: open loop at {rate} req/s, {options.WarmupDuration.TotalSeconds:0} s warm-up + {options.OpenLoopDuration.TotalSeconds:0} s …");
            results.Add(await generator.OpenLoopAsync(rate, options.WarmupDuration, options.OpenLoopDuration, cancellationToken));
        }

        Console.WriteLine($"HTTP: closed loop, {options.ClosedLoopConnections} connections, {options.ClosedLoopDuration.TotalSeconds:0} s …");
        results.Add(await generator.ClosedLoopAsync(options.ClosedLoopConnections, options.ClosedLoopDuration, cancellationToken));
        return results;
    }

    private static async Task CheckReadyAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"the agent is not ready ({(int)response.StatusCode}): {body.Trim()}");
        }
    }
}
