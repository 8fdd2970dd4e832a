using System.Net.Sockets;
using System.Text;
using CreditEdge.TestKit;

namespace CreditEdge.Agent.Tests;

/// <summary>
/// The agent as systemd runs it with <c>WatchdogSec=</c>: a real notify socket, the real process. Pings come while it is
/// healthy and stop when it is not.
/// </summary>
public sealed class SystemdWatchdogTests : IDisposable
{
    private readonly TempDirectory _dir = new("watchdog");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Agent_HealthyUnderWatchdog_PingsAtHalfTheInterval()
    {
        var (pings, _) = await RunAsync(RepoPaths.DefaultModel);

        Assert.InRange(pings, 5, 40); // 3 s at one ping per 200 ms, give or take a slow start
    }

    [Fact]
    public async Task Agent_WithoutAModel_SendsNoPingSoSystemdRestartsIt()
    {
        var empty = Directory.CreateDirectory(_dir.Combine("no-model")).FullName;

        var (pings, log) = await RunAsync(empty);

        Assert.Equal(0, pings);
        Assert.Contains("Watchdog ping withheld: no model is loaded", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_DiskFills_PingsStopThenResumeWhenSpaceReturns()
    {
        using var disk = new SmallDisk(6);
        var socketPath = _dir.Combine("notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var port = LoopbackPort.Free();
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath, ["WATCHDOG_USEC"] = "400000" };
        await using var agent = AgentProcess.Start(environment, $"--DataDirectory={disk.Combine("data")}", $"--Api:Urls=http://127.0.0.1:{port}",
            "--DeviceId=watched-disk", "--Storage:ProbeMinDelay=00:00:00.200", "--Storage:ProbeMaxDelay=00:00:00.500");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Eventually.HoldsAsync(() => Alive(client), TimeSpan.FromSeconds(60), "the agent to answer /healthz");
        Assert.True(await CountPingsAsync(socket, TimeSpan.FromSeconds(2)) >= 3, "a healthy agent pings");

        disk.Fill();
        for (var i = 0; i < 300 && await ScoreStatusAsync(client, i) == System.Net.HttpStatusCode.OK; i++)
        {
            // until a commit fails for want of space
        }

        await CountPingsAsync(socket, TimeSpan.FromSeconds(0.6)); // drain what was sent before the failure
        var whileFull = await CountPingsAsync(socket, TimeSpan.FromSeconds(2));
        disk.Free();
        var afterwards = await CountPingsAsync(socket, TimeSpan.FromSeconds(4));

        Assert.Equal(0, whileFull);
        Assert.True(afterwards >= 3, $"pings resumed after space returned: {afterwards}");
    }

    [Fact]
    public async Task Agent_DiskStalls_PingsStopAndScoringRefusesThenBothResumeWhenItAnswers()
    {
        using var disk = new FreezableDisk();
        var socketPath = _dir.Combine("notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var port = LoopbackPort.Free();
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath, ["WATCHDOG_USEC"] = "400000" };
        await using var agent = AgentProcess.Start(environment, $"--DataDirectory={disk.Combine("data")}", $"--Api:Urls=http://127.0.0.1:{port}",
            "--DeviceId=watched-stall", "--Storage:StallAfter=00:00:01");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Eventually.HoldsAsync(() => Alive(client), TimeSpan.FromSeconds(60), "the agent to answer /healthz");
        Assert.True(await CountPingsAsync(socket, TimeSpan.FromSeconds(2)) >= 3, "a healthy agent pings");

        Task<HttpResponseMessage> stalled;
        int whileStalled;
        HttpResponseMessage refused, notReady;
        try
        {
            disk.Freeze();
            stalled = client.PostAsync(new Uri("/v1/score", UriKind.Relative), Body(0, "stalled-1")); // its commit blocks in the kernel
            await Task.Delay(TimeSpan.FromSeconds(1.5)); // past StallAfter
            await CountPingsAsync(socket, TimeSpan.FromSeconds(0.6)); // drain what was sent before the stall showed
            whileStalled = await CountPingsAsync(socket, TimeSpan.FromSeconds(2));
            refused = await client.PostAsync(new Uri("/v1/score", UriKind.Relative), Body(1, "stalled-2"));
            notReady = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
            Assert.False(stalled.IsCompleted, "the first request waits for its commit: it is answered only once durable");
        }
        finally
        {
            disk.Thaw();
        }

        using var first = await stalled.WaitAsync(TimeSpan.FromSeconds(20));
        var afterwards = await CountPingsAsync(socket, TimeSpan.FromSeconds(4));

        Assert.Equal(0, whileStalled);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("disk is not answering", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("disk is not answering", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, first.StatusCode); // nothing lost: the stalled decision was stored when the disk came back
        Assert.True(afterwards >= 3, $"pings resumed once the disk answered: {afterwards}");
        Assert.Equal("ready\n", await client.GetStringAsync(new Uri("/readyz", UriKind.Relative)));
    }

    private static StringContent Body(int record, string applicationId) =>
        new(GoldenSet.RequestBody(GoldenSet.Records[record], applicationId), Encoding.UTF8, "application/json");

    private static async Task<System.Net.HttpStatusCode> ScoreStatusAsync(HttpClient client, int i)
    {
        using var content = new StringContent(GoldenSet.RequestBody(GoldenSet.Records[i % GoldenSet.Records.Count], $"app-{i}"), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri("/v1/score", UriKind.Relative), content);
        return response.StatusCode;
    }

    private static async Task<int> CountPingsAsync(Socket socket, TimeSpan during)
    {
        var buffer = new byte[256];
        var pings = 0;
        var until = DateTime.UtcNow + during;
        while (DateTime.UtcNow < until)
        {
            using var wait = new CancellationTokenSource(until - DateTime.UtcNow);
            try
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
                pings += Encoding.ASCII.GetString(buffer, 0, read) == "WATCHDOG=1" ? 1 : 0;
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return pings;
    }

    /// <summary>Runs the agent with a 400 ms watchdog for 3 s after it answers /healthz; returns the WATCHDOG=1 datagrams and stderr.</summary>
    private async Task<(int Pings, string Log)> RunAsync(string modelDirectory)
    {
        var socketPath = _dir.Combine("notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var port = LoopbackPort.Free();
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath, ["WATCHDOG_USEC"] = "400000" };
        string stderr;
        int pings;
        await using (var agent = AgentProcess.Start(environment, $"--DataDirectory={_dir.Combine("data")}", $"--Api:Urls=http://127.0.0.1:{port}", $"--ModelDirectory={modelDirectory}", "--DeviceId=watched"))
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Eventually.HoldsAsync(() => Alive(client), TimeSpan.FromSeconds(60), "the agent to answer /healthz");
            pings = await CountPingsAsync(socket, TimeSpan.FromSeconds(3));
            await agent.StopAsync();
            stderr = await agent.StandardOutput + await agent.StandardError;
        }

        return (pings, stderr);
    }

    private static bool Alive(HttpClient client)
    {
        try
        {
            return client.GetAsync(new Uri("/healthz", UriKind.Relative)).GetAwaiter().GetResult().IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
