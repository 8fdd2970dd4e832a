using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Agent.Tests;

/// <summary>The applicationId of a request is kept as a keyed hash under the device's own salt unless configured otherwise.</summary>
public sealed class PrivacyTests : IDisposable
{
    private readonly TempDirectory _data = new("privacy");
    private readonly TempDirectory _otherDevice = new("privacy-other");

    public void Dispose()
    {
        _data.Dispose();
        _otherDevice.Dispose();
    }

    [Fact]
    public async Task PostScore_ApplicationId_ReturnedStoredAndQueuedForSyncAsHmacUnderTheDeviceSalt()
    {
        string decisionId;
        string returned;
        await using (var agent = await RunningAgent.StartAsync(_data.Path))
        {
            var decision = await ScoreAsync(agent, "kiosk-app-000123");
            decisionId = decision.GetProperty("decisionId").GetString()!;
            returned = decision.GetProperty("applicationId").GetString()!;
        }

        var saltFile = _data.Combine("applicant.salt");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(saltFile));
        var salt = Convert.FromBase64String(File.ReadAllText(saltFile));
        Assert.Equal(32, salt.Length);
        var expected = "hmac-sha256:" + Convert.ToHexStringLower(HMACSHA256.HashData(salt, Encoding.UTF8.GetBytes("kiosk-app-000123")));
        Assert.Equal(expected, returned);

        using var store = LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _data.Path }, NullLogger.Instance);
        Assert.Equal(expected, store.Find(decisionId)!.ApplicationId);
        var queued = Assert.Single(store.Peek(10));
        Assert.DoesNotContain("kiosk-app-000123", queued.Payload, StringComparison.Ordinal);
        Assert.Contains(expected, queued.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostScore_SameIdOnTwoDevices_GivesDifferentValuesAndTheSameOnOneDevice()
    {
        await using var first = await RunningAgent.StartAsync(_data.Path);
        await using var second = await RunningAgent.StartAsync(_otherDevice.Path);

        var a1 = (await ScoreAsync(first, "app-7")).GetProperty("applicationId").GetString();
        var a2 = (await ScoreAsync(first, "app-7")).GetProperty("applicationId").GetString();
        var b = (await ScoreAsync(second, "app-7")).GetProperty("applicationId").GetString();

        Assert.Equal(a1, a2);
        Assert.NotEqual(a1, b);
    }

    [Fact]
    public async Task PostScore_PrivacyKeep_StoresTheIdAsGivenAndMakesNoSalt()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path, "--Privacy:ApplicationIds=Keep");

        Assert.Equal("app-7", (await ScoreAsync(agent, "app-7")).GetProperty("applicationId").GetString());
        Assert.False(File.Exists(_data.Combine("applicant.salt")));
    }

    [Fact]
    public async Task Start_PrivacyModeMisspelt_RefusedNamingTheKey()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => RunningAgent.StartAsync(_data.Path, "--Privacy:ApplicationIds=Hashed"));

        Assert.Contains("ApplicationIds", ex.ToString(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> ScoreAsync(RunningAgent agent, string applicationId)
    {
        using var content = new StringContent(GoldenSet.RequestBody(GoldenSet.Records[0], applicationId), Encoding.UTF8, "application/json");
        using var response = await agent.Client.PostAsync(new Uri("/v1/score", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
