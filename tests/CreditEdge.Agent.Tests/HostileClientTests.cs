using System.Net;
using System.Net.Sockets;
using System.Text;
using CreditEdge.TestKit;

namespace CreditEdge.Agent.Tests;

/// <summary>Clients that attack the connection rather than the JSON, against the real Kestrel on loopback.</summary>
public sealed class HostileClientTests : IDisposable
{
    private readonly TempDirectory _data = new("hostile");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Request_HeaderFlood_Refused431AndAgentStaysUp()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        // 60 small headers (3 KB): past the agent's 32, within Kestrel's default 100 — so this proves the limit set on purpose
        var headers = string.Concat(Enumerable.Range(0, 60).Select(i => $"X-Flood-{i}: {new string('a', 20)}\r\n"));

        var response = await RawAsync(agent, $"GET /healthz HTTP/1.1\r\nHost: x\r\n{headers}\r\n");

        Assert.StartsWith("HTTP/1.1 431", response, StringComparison.Ordinal);
        await AssertStillServesAsync(agent);
    }

    [Fact]
    public async Task Request_HeadersDribbledSlowly_ConnectionCutAfterTheHeadersTimeout()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        using var client = await ConnectAsync(agent);
        var stream = client.GetStream();
        await stream.WriteAsync("GET /healthz HTTP/1.1\r\nHost: x\r\n"u8.ToArray());

        // one header byte a second, never finishing: Kestrel answers 408 (or closes) once the headers timeout passes
        var started = DateTime.UtcNow;
        var answered = await DribbleUntilCutAsync(stream, TimeSpan.FromSeconds(30));

        Assert.True(answered, "the server kept a connection whose headers never ended");
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, TimeSpan.FromSeconds(25));
        await AssertStillServesAsync(agent);
    }

    [Fact]
    public async Task Request_BodyDribbledSlowly_ConnectionCutByTheMinimumDataRate()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        using var client = await ConnectAsync(agent);
        var stream = client.GetStream();
        await stream.WriteAsync("POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{"u8.ToArray());

        var answered = await DribbleUntilCutAsync(stream, TimeSpan.FromSeconds(30));

        Assert.True(answered, "the server kept a connection whose body arrives at one byte a second");
        await AssertStillServesAsync(agent);
    }

    [Fact]
    public async Task PostScore_DeeplyNestedBody_Refused400Json()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        var body = "{\"features\":" + new string('[', 5000) + new string(']', 5000) + "}";

        var response = await agent.Client.PostAsync(new Uri("/v1/score", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"rule\":\"json\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostScore_HugeChunkedBody_RefusedEarlyWithoutReadingItAll()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        using var client = await ConnectAsync(agent);
        var stream = client.GetStream();
        await stream.WriteAsync("POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray());
        var chunk = Encoding.ASCII.GetBytes($"{64 * 1024:x}\r\n{new string(' ', 64 * 1024)}\r\n");
        var sent = 0L;
        var refusedEarly = false;
        try
        {
            // up to 100 MB; the agent must answer (and stop reading) long before
            for (var i = 0; i < 1600; i++)
            {
                await stream.WriteAsync(chunk);
                sent += chunk.Length;
                if (client.Available > 0)
                {
                    refusedEarly = true;
                    break;
                }
            }
        }
        catch (IOException)
        {
            refusedEarly = true; // the server closed the connection
        }

        Assert.True(refusedEarly, $"sent {sent} bytes without an answer");
        Assert.True(sent < 10 * 1024 * 1024, $"the agent read {sent} bytes before refusing");
        await AssertStillServesAsync(agent);
    }

    private static async Task<bool> DribbleUntilCutAsync(NetworkStream stream, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        var buffer = new byte[1024];
        while (DateTime.UtcNow < until)
        {
            try
            {
                await stream.WriteAsync("a"u8.ToArray());
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                var read = await stream.ReadAsync(buffer, wait.Token);
                return true; // an answer (408) or end of stream (0): either way the server let go
            }
            catch (OperationCanceledException)
            {
                // nothing yet: send another byte
            }
            catch (IOException)
            {
                return true; // reset by the server
            }
        }

        return false;
    }

    private static async Task<TcpClient> ConnectAsync(RunningAgent agent)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, agent.Client.BaseAddress!.Port);
        return client;
    }

    private static async Task<string> RawAsync(RunningAgent agent, string request)
    {
        using var client = await ConnectAsync(agent);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await stream.ReadAsync(buffer, timeout.Token);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    private static async Task AssertStillServesAsync(RunningAgent agent)
    {
        Assert.Equal(HttpStatusCode.OK, (await agent.Client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        var response = await agent.Client.PostAsync(new Uri("/v1/score", UriKind.Relative), new StringContent(GoldenSet.RequestBody(GoldenSet.Records[0]), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
