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
    public async Task Start_ConfigFromEnvironmentFileAndCommandLine_LaterSourceWins()
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
}
