using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CreditEdge.Agent.Terminals;
using CreditEdge.Core.Terminals;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Tests;

/// <summary>
/// Per-terminal keys on the real agent. The agent listens on 127.0.0.1 and only 127.0.0.1 is the kiosk's, so a client
/// whose socket is bound to 127.0.0.2 (Linux routes all of 127/8 to lo) is a handheld that needs a key.
/// </summary>
public sealed class TerminalApiTests : IDisposable
{
    private const string ProblemBase = "https://creditedge.dev/problems/";
    private static readonly TimeSpan ReloadWait = TimeSpan.FromSeconds(15);
    private static readonly IPAddress Foreign = IPAddress.Parse("127.0.0.2");

    private readonly TempDirectory _data = new("agent-terminals");

    public void Dispose() => _data.Dispose();

    private string RegistryPath => TerminalRegistry.PathIn(_data.Path);

    [Fact]
    public async Task Score_ForeignAddressWithoutKey_401TerminalKeyMissing()
    {
        await using var agent = await StartAsync();
        using var handheld = ForeignClient(agent);

        var response = await PostScoreAsync(handheld, bearer: null);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "terminal-key-missing");
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, (await handheld.GetAsync(new Uri("/v1/model", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await handheld.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Score_ForeignAddressWrongKey_401TerminalKeyUnknown()
    {
        AddTerminal("handheld-01");
        await using var agent = await StartAsync();
        using var handheld = ForeignClient(agent);

        var response = await PostScoreAsync(handheld, bearer: TerminalRegistry.NewKey());

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "terminal-key-unknown");
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Score_KeyRevokedWhileRunning_401TerminalKeyRevokedWithoutRestart()
    {
        var key = AddTerminal("handheld-07");
        await using var agent = await StartAsync();
        using var handheld = ForeignClient(agent);
        Assert.Equal(HttpStatusCode.OK, (await PostScoreAsync(handheld, key)).StatusCode);

        Change(r => r.Revoke("handheld-07", DateTimeOffset.UtcNow));

        await Eventually.HoldsAsync(async () => (await PostScoreAsync(handheld, key)).StatusCode == HttpStatusCode.Unauthorized, ReloadWait, "the revocation to be read");
        var response = await PostScoreAsync(handheld, key);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "terminal-key-revoked");
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Score_KeyAddedWhileRunning_AcceptedWithoutRestartAndDecisionRecordsTerminal()
    {
        await using var agent = await StartAsync();
        using var handheld = ForeignClient(agent);
        var key = TerminalRegistry.NewKey();
        await AssertProblemAsync(await PostScoreAsync(handheld, key), HttpStatusCode.Unauthorized, "terminal-key-unknown");

        Change(r => r.Add("handheld-07", TerminalRegistry.HashKey(key), DateTimeOffset.UtcNow));

        await Eventually.HoldsAsync(async () => (await PostScoreAsync(handheld, key, "probe")).StatusCode == HttpStatusCode.OK, ReloadWait, "the new terminal to be read");
        var response = await PostScoreAsync(handheld, key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var decision = await ReadJsonAsync(response);
        Assert.Equal("handheld-07", decision.GetProperty("terminalId").GetString());
        var decisionId = decision.GetProperty("decisionId").GetString()!;

        var fetched = await ReadJsonAsync(await agent.Client.GetAsync(new Uri($"/v1/decisions/{decisionId}", UriKind.Relative)));
        Assert.Equal("handheld-07", fetched.GetProperty("terminalId").GetString());
        var store = agent.Services.GetRequiredService<LiteDecisionStore>();
        Assert.Equal("handheld-07", store.Find(decisionId)!.TerminalId);
        var synced = store.Peek(100).Single(r => r.DecisionId == decisionId);
        Assert.Equal("handheld-07", JsonDocument.Parse(synced.Payload).RootElement.GetProperty("terminalId").GetString());
    }

    [Fact]
    public async Task Score_KioskAddress_200WithoutKeyAndNoTerminalId()
    {
        AddTerminal("handheld-01");
        await using var agent = await StartAsync();

        var response = await PostScoreAsync(agent.Client, bearer: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var decision = await ReadJsonAsync(response);
        Assert.False(decision.TryGetProperty("terminalId", out _));
        var decisionId = decision.GetProperty("decisionId").GetString()!;
        var store = agent.Services.GetRequiredService<LiteDecisionStore>();
        Assert.Null(store.Find(decisionId)!.TerminalId);
        Assert.DoesNotContain("terminalId", store.Peek(100).Single(r => r.DecisionId == decisionId).Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_BurstExhausted_429WithRetryAfterForThatTerminalOnly()
    {
        var first = AddTerminal("handheld-01");
        var second = AddTerminal("handheld-02");
        await using var agent = await StartAsync("--Api:TerminalRateLimit:Burst=3", "--Api:TerminalRateLimit:PermitsPerSecond=1");
        using var handheld = ForeignClient(agent);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 12 && refused is null; i++)
        {
            var response = await GetModelAsync(handheld, first);
            statuses.Add(response.StatusCode);
            refused = response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], statuses.Take(3));
        Assert.NotNull(refused);
        await AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate-limited");
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.True(retryAfter >= TimeSpan.FromSeconds(1), $"Retry-After {retryAfter}");
        Assert.Equal(HttpStatusCode.OK, (await GetModelAsync(handheld, second)).StatusCode);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await agent.Client.GetAsync(new Uri("/v1/model", UriKind.Relative))).StatusCode);
        }

        Assert.Contains("creditedge_terminal_requests_refused_total{reason=\"rate-limited\"} ", await agent.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registry_DamagedWhileRunning_KeepsLastKeysAndGaugeReads0UntilRepaired()
    {
        var key = AddTerminal("handheld-07");
        await using var agent = await StartAsync();
        using var handheld = ForeignClient(agent);
        Assert.Equal(HttpStatusCode.OK, (await PostScoreAsync(handheld, key)).StatusCode);
        Assert.Equal(1, await RegistryGaugeAsync(agent));
        var good = TerminalRegistry.Read(RegistryPath);

        await File.WriteAllTextAsync(RegistryPath, "[{\"id\":\"handheld-07\",\"keySha256\":");

        await Eventually.HoldsAsync(async () => await RegistryGaugeAsync(agent) == 0, ReloadWait, "the gauge to read 0");
        Assert.Equal(HttpStatusCode.OK, (await PostScoreAsync(handheld, key)).StatusCode);

        good.Revoke("handheld-07", DateTimeOffset.UtcNow).Write(RegistryPath);

        await Eventually.HoldsAsync(async () => await RegistryGaugeAsync(agent) == 1, ReloadWait, "the gauge to read 1 again");
        await AssertProblemAsync(await PostScoreAsync(handheld, key), HttpStatusCode.Unauthorized, "terminal-key-revoked");
    }

    [Fact]
    public async Task Registry_DamagedAtStart_NoTerminalKeysAndGaugeReads0()
    {
        await File.WriteAllTextAsync(RegistryPath, "not json");
        await using var agent = await StartAsync();
        using var handheld = ForeignClient(agent);

        Assert.Equal(0, await RegistryGaugeAsync(agent));
        await AssertProblemAsync(await PostScoreAsync(handheld, TerminalRegistry.NewKey()), HttpStatusCode.Unauthorized, "terminal-key-unknown");
        Assert.Equal(HttpStatusCode.OK, (await PostScoreAsync(agent.Client, bearer: null)).StatusCode);
        Assert.Equal("not json", await File.ReadAllTextAsync(RegistryPath));
    }

    [Fact]
    public async Task Audit_AddAndRevoke_OneEventEachAfterReloadsAndRestartsAndChainVerifies()
    {
        await using (var agent = await StartAsync())
        {
            AddTerminal("handheld-07");
            await Eventually.HoldsAsync(() => TerminalEvents(agent).Count == 1, ReloadWait, "terminal-added in the chain");
            Change(r => r.Revoke("handheld-07", DateTimeOffset.UtcNow));
            await Eventually.HoldsAsync(() => TerminalEvents(agent).Count == 2, ReloadWait, "terminal-revoked in the chain");

            // two more reloads of the same registry: a damaged file, then the good one back
            var good = await File.ReadAllBytesAsync(RegistryPath);
            await File.WriteAllTextAsync(RegistryPath, "[");
            await Eventually.HoldsAsync(async () => await RegistryGaugeAsync(agent) == 0, ReloadWait, "the damaged registry to be read");
            await File.WriteAllBytesAsync(RegistryPath, good);
            await Eventually.HoldsAsync(async () => await RegistryGaugeAsync(agent) == 1, ReloadWait, "the good registry to be read again");
        }

        // a restart that only the chain tells what was recorded, then one with the agent's own file
        File.Delete(Path.Combine(_data.Path, TerminalAuditTrail.FileName));
        foreach (var terminal in new[] { "handheld-08", "handheld-09" })
        {
            await using var agent = await StartAsync();
            AddTerminal(terminal); // recorded after the older ones: once it is there, a duplicate of those would be too
            await Eventually.HoldsAsync(() => TerminalEvents(agent).Any(e => e.Data!["terminal"] == terminal), ReloadWait, $"terminal-added for {terminal}");
        }

        var report = LiteDecisionStore.VerifyStopped(new DecisionStoreSettings { DataDirectory = _data.Path });
        Assert.True(report.Intact, report.Describe());
        var events = new List<string>();
        await using (var agent = await StartAsync())
        {
            events.AddRange(TerminalEvents(agent).Select(e => $"{e.Type} {e.Data!["terminal"]}"));
        }

        Assert.Equal(["terminal-added handheld-07", "terminal-revoked handheld-07", "terminal-added handheld-08", "terminal-added handheld-09"], events);
    }

    [Fact]
    public async Task Audit_EventDeletedByRetention_NotRecordedAgainAfterRestart()
    {
        string[] retention = ["--Storage:RetentionDays=1", "--Storage:RetentionInterval=00:00:01"];
        var auditedFile = Path.Combine(_data.Path, TerminalAuditTrail.FileName);
        await using (var agent = await StartAsync(retention))
        {
            Change(r => r.Add("handheld-07", TerminalRegistry.HashKey(TerminalRegistry.NewKey()), DateTimeOffset.UtcNow.AddDays(-10)));
            await Eventually.HoldsAsync(() => File.Exists(auditedFile) && File.ReadAllText(auditedFile).Contains("terminal-added:handheld-07", StringComparison.Ordinal), ReloadWait, "the event to be recorded");
            await Eventually.HoldsAsync(() => TerminalEvents(agent).Count == 0, ReloadWait, "retention to delete the 10-day-old event");
        }

        await using (var agent = await StartAsync())
        {
            AddTerminal("handheld-08");
            await Eventually.HoldsAsync(() => TerminalEvents(agent).Count > 0, ReloadWait, "terminal-added for handheld-08");
            Assert.Equal(["terminal-added handheld-08"], TerminalEvents(agent).Select(e => $"{e.Type} {e.Data!["terminal"]}"));
        }
    }

    [Fact]
    public async Task Start_KioskAddressNotAnAddress_RefusedNamingTheKey()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync("--Api:KioskAddresses:0=kiosk.local"));

        Assert.Contains("Api:KioskAddresses:0", ex.Message, StringComparison.Ordinal);
    }

    private Task<RunningAgent> StartAsync(params string[] args) =>
        RunningAgent.StartAsync(_data.Path, ["--Api:KioskAddresses:0=127.0.0.1", .. args]);

    private string AddTerminal(string id)
    {
        var key = TerminalRegistry.NewKey();
        Change(r => r.Add(id, TerminalRegistry.HashKey(key), DateTimeOffset.UtcNow));
        return key;
    }

    private void Change(Func<TerminalRegistry, TerminalRegistry> change) => change(TerminalRegistry.Read(RegistryPath)).Write(RegistryPath);

    private static List<Core.Audit.AuditEvent> TerminalEvents(RunningAgent agent) =>
        agent.Services.GetRequiredService<LiteDecisionStore>().ReadEvents(0, 1000)
            .Select(e => e.Event)
            .Where(e => e.Type.StartsWith("terminal-", StringComparison.Ordinal))
            .ToList();

    /// <summary>An HTTP client whose connections come from 127.0.0.2, not one of the kiosk's addresses.</summary>
    private static HttpClient ForeignClient(RunningAgent agent) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(Foreign, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = agent.Client.BaseAddress,
    };

    private static async Task<HttpResponseMessage> PostScoreAsync(HttpClient client, string? bearer, string? applicationId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/score", UriKind.Relative))
        {
            Content = new StringContent(GoldenSet.RequestBody(GoldenSet.Records[0], applicationId), Encoding.UTF8, "application/json"),
        };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await client.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> GetModelAsync(HttpClient client, string bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/model", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return await client.SendAsync(request);
    }

    private static async Task<int> RegistryGaugeAsync(RunningAgent agent)
    {
        var metrics = await agent.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var line = metrics.Split('\n').Single(l => l.StartsWith("creditedge_terminal_registry_ok ", StringComparison.Ordinal));
        return int.Parse(line["creditedge_terminal_registry_ok ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(ProblemBase + type, json.RootElement.GetProperty("type").GetString());
        Assert.Equal((int)status, json.RootElement.GetProperty("status").GetInt32());
    }
}
