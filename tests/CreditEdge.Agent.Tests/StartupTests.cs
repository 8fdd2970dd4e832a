using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Tests;

public sealed class StartupTests : IDisposable
{
    private readonly TempDirectory _data = new("startup");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Start_SecondAgentProcessOnSameDataDirectory_ExitsWithClearMessage()
    {
        await using var first = await RunningAgent.StartAsync(_data.Path);

        var (exitCode, stderr) = await AgentProcess.RunToExitAsync(null, $"--DataDirectory={_data.Path}", "--Api:Urls=http://127.0.0.1:0");

        Assert.Equal(1, exitCode);
        Assert.Contains("in use by another CreditEdge process", stderr, StringComparison.Ordinal);
        Assert.Contains($"pid {Environment.ProcessId}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WrongKeyFile_RefusedWithClearError()
    {
        await using (await RunningAgent.StartAsync(_data.Path))
        {
        }

        var keyFile = Path.Combine(_data.Path, "storage.key");
        await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(new byte[32]));

        var ex = await Assert.ThrowsAsync<StorageException>(() => RunningAgent.StartAsync(_data.Path));
        Assert.Contains("does not open", ex.Message, StringComparison.Ordinal);
        Assert.Contains("storage.key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InvalidDeviceId_RefusedNamingTheKey()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => RunningAgent.StartAsync(_data.Path, "--DeviceId=bad/id with spaces"));
        Assert.Contains("DeviceId", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_KeyInFileAndEnvironment_EnvironmentWins()
    {
        var configFile = Path.Combine(_data.Path, "agent.json");
        await File.WriteAllTextAsync(configFile, """{ "DeviceId": "from-file", "Api": { "MaxBodyBytes": 4096 } }""");
        var (exitCode, stderr) = await AgentProcess.RunToExitAsync(
            new Dictionary<string, string> { ["CREDITEDGE_CONFIGFILE"] = configFile, ["CREDITEDGE_API__MAXBODYBYTES"] = "12" },
            $"--DataDirectory={_data.Path}", "--Api:Urls=http://127.0.0.1:0");

        // the environment (12) overrides the file (4096) and is below the allowed minimum: the agent refuses to start, naming the key
        Assert.Equal(1, exitCode);
        Assert.Contains("MaxBodyBytes", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_KeysInFileEnvironmentAndCommandLine_CommandLineWins()
    {
        int filePort = LoopbackPort.Free(), environmentPort = LoopbackPort.Free(), commandLinePort = LoopbackPort.Free();
        var configFile = Path.Combine(_data.Path, "agent.json");
        await File.WriteAllTextAsync(configFile, $$"""{ "Api": { "Urls": "http://127.0.0.1:{{filePort}}", "MaxBodyBytes": 13 } }""");

        // MaxBodyBytes 13 (file) and 12 (environment) are below the allowed minimum: had either won, the agent would not start
        await using var agent = AgentProcess.Start(
            new Dictionary<string, string>
            {
                ["CREDITEDGE_CONFIGFILE"] = configFile,
                ["CREDITEDGE_API__URLS"] = $"http://127.0.0.1:{environmentPort}",
                ["CREDITEDGE_API__MAXBODYBYTES"] = "12",
            },
            $"--DataDirectory={_data.Path}", $"--Api:Urls=http://127.0.0.1:{commandLinePort}", "--Api:MaxBodyBytes=2048");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await AnswersAsync(client, commandLinePort))
        {
            if (agent.HasExited)
            {
                Assert.Fail($"the agent exited: {await agent.StandardError}");
            }

            Assert.True(DateTime.UtcNow < deadline, $"the agent did not answer on the command line's port {commandLinePort} within 60 s");
            await Task.Delay(100);
        }

        Assert.False(await AnswersAsync(client, environmentPort));
        Assert.False(await AnswersAsync(client, filePort));
        using var body = new StringContent($$$"""{"features":{"AGE":"{{{new string('x', 3000)}}}"}}""", System.Text.Encoding.UTF8, "application/json");
        var response = await client.PostAsync(new Uri($"http://127.0.0.1:{commandLinePort}/v1/score"), body);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("larger than 2048 bytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<bool> AnswersAsync(HttpClient client, int port)
    {
        try
        {
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false; // nothing listens there
        }
    }
}
