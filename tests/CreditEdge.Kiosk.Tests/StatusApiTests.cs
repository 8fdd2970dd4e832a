using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CreditEdge.Agent.Tests;
using CreditEdge.TestKit;

namespace CreditEdge.Kiosk.Tests;

/// <summary><c>GET /v1/status</c>: what the kiosk page's badge and its "not ready" notice show.</summary>
public sealed class StatusApiTests : IDisposable
{
    private readonly TempDirectory _data = new("kiosk-status");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Status_NoBroker_ReadyAndOffline()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path, "--DeviceId=kiosk-3");
        var status = await agent.Client.GetFromJsonAsync<JsonElement>("/v1/status");
        var model = await agent.Client.GetFromJsonAsync<JsonElement>("/v1/model");

        Assert.True(status.GetProperty("ready").GetBoolean());
        Assert.Equal(0, status.GetProperty("problems").GetArrayLength());
        Assert.False(status.GetProperty("online").GetBoolean());
        Assert.False(status.GetProperty("brokerConfigured").GetBoolean());
        Assert.Equal("kiosk-3", status.GetProperty("deviceId").GetString());
        Assert.Equal(model.GetProperty("id").GetString(), status.GetProperty("model").GetProperty("id").GetString());
        Assert.Equal(model.GetProperty("version").GetString(), status.GetProperty("model").GetProperty("version").GetString());
    }

    [Fact]
    public async Task Status_BrokerUpThenGone_OnlineThenOffline()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var agent = await RunningAgent.StartAsync(_data.Path, $"--Mqtt:Broker={broker.Url}");
        await Eventually.HoldsAsync(async () => (await StatusAsync(agent)).GetProperty("online").GetBoolean(), TimeSpan.FromSeconds(30), "online with the broker up");
        Assert.True((await StatusAsync(agent)).GetProperty("brokerConfigured").GetBoolean());

        await broker.StopAsync();
        await Eventually.HoldsAsync(async () => !(await StatusAsync(agent)).GetProperty("online").GetBoolean(), TimeSpan.FromSeconds(30), "offline with the broker gone");
        var status = await StatusAsync(agent);
        Assert.True(status.GetProperty("brokerConfigured").GetBoolean());
        Assert.True(status.GetProperty("ready").GetBoolean(), "offline is no reason to stop deciding");
    }

    [Fact]
    public async Task Status_NoModel_NotReadyWithTheReasonReadyzGives()
    {
        Directory.CreateDirectory(_data.Combine("empty-package"));
        await using var agent = await RunningAgent.StartAsync(_data.Combine("data"), $"--ModelDirectory={_data.Combine("empty-package")}");
        var status = await StatusAsync(agent);
        using var readyz = await agent.Client.GetAsync("/readyz");

        Assert.False(status.GetProperty("ready").GetBoolean());
        Assert.Equal(JsonValueKind.Null, status.TryGetProperty("model", out var model) ? model.ValueKind : JsonValueKind.Null);
        var problems = status.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Contains(problems, p => p.StartsWith("no model loaded: ", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
        Assert.Equal(string.Join('\n', problems) + "\n", await readyz.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Model_CarriesThePolicyCutoffs()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        var model = await agent.Client.GetFromJsonAsync<JsonElement>("/v1/model");
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.DefaultModel, "manifest.json"))).RootElement.GetProperty("policy");
        var policy = model.GetProperty("policy");
        Assert.Equal(manifest.GetProperty("approveMinScore").GetInt32(), policy.GetProperty("approveMinScore").GetInt32());
        Assert.Equal(manifest.GetProperty("declineBelowScore").GetInt32(), policy.GetProperty("declineBelowScore").GetInt32());
        Assert.Equal(manifest.GetProperty("pdo").GetDouble(), policy.GetProperty("pdo").GetDouble());
    }

    private static async Task<JsonElement> StatusAsync(RunningAgent agent) => await agent.Client.GetFromJsonAsync<JsonElement>("/v1/status");
}
