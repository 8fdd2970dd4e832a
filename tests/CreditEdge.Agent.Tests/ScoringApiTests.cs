using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CreditEdge.Inference;
using CreditEdge.TestKit;

namespace CreditEdge.Agent.Tests;

public sealed class ScoringApiTests : IDisposable
{
    private static readonly string[] Outcomes = ["approve", "refer", "decline"];

    private readonly TempDirectory _data = new("agent");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task PostScore_ValidApplication_Returns200WithContractFields()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        var response = await PostScoreAsync(agent, GoldenSet.RequestBody(GoldenSet.Records[0], "app-1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.False(string.IsNullOrEmpty(root.GetProperty("decisionId").GetString()));
        Assert.Contains(root.GetProperty("outcome").GetString(), Outcomes);
        var probability = root.GetProperty("probability").GetDouble();
        Assert.InRange(probability, 0, 1);
        Assert.True(root.GetProperty("score").GetInt32() > 0);
        Assert.InRange(root.GetProperty("reasons").GetArrayLength(), 0, 4);
        foreach (var reason in root.GetProperty("reasons").EnumerateArray())
        {
            Assert.StartsWith("R", reason.GetProperty("code").GetString(), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(reason.GetProperty("feature").GetString()));
            Assert.False(string.IsNullOrEmpty(reason.GetProperty("text").GetString()));
        }

        var model = root.GetProperty("model");
        Assert.Equal("taiwan-credit", model.GetProperty("id").GetString());
        Assert.Equal(64, model.GetProperty("sha256").GetString()!.Length);
        Assert.Contains(model.GetProperty("variant").GetString(), (string[])["fp32", "int8"]);
        Assert.False(string.IsNullOrEmpty(model.GetProperty("version").GetString()));
        Assert.True(root.TryGetProperty("createdAt", out _));
        Assert.StartsWith("hmac-sha256:", root.GetProperty("applicationId").GetString(), StringComparison.Ordinal); // PrivacyTests has the value
        Assert.False(root.TryGetProperty("input", out _));
    }

    [Fact]
    public async Task PostScore_GoldenApplicants_ProbabilitiesMatchPackage()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        foreach (var record in GoldenSet.Records.Take(25))
        {
            var response = await PostScoreAsync(agent, GoldenSet.RequestBody(record));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var variant = json.RootElement.GetProperty("model").GetProperty("variant").GetString()!;
            Assert.Equal(record.Expected[variant], json.RootElement.GetProperty("probability").GetDouble(), 1e-5);
        }
    }

    [Fact]
    public async Task PostScore_SeveralBadFields_Returns400ProblemNamingEach()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        var features = GoldenSet.Records[0].Features.DeepClone().AsObject();
        features["AGE"] = 7;                 // below the minimum
        features["EDUCATION"] = "9";         // not a code
        features.Remove("CREDIT_LIMIT");     // required
        features["FAVOURITE_COLOUR"] = "red"; // unknown
        var body = JsonSerializer.Serialize(new { features });

        var response = await PostScoreAsync(agent, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, json.RootElement.GetProperty("status").GetInt32());
        var errors = json.RootElement.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("field").GetString(), e.GetProperty("rule").GetString()))
            .ToHashSet();
        Assert.Equal(
            new HashSet<(string?, string?)>
            {
                ("features.AGE", "range"),
                ("features.EDUCATION", "code"),
                ("features.CREDIT_LIMIT", "required"),
                ("features.FAVOURITE_COLOUR", "unknown-field"),
            },
            errors);
    }

    [Fact]
    public async Task PostScore_OversizedBody_Returns400BodySize()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path, "--Api:MaxBodyBytes=2048");
        var body = "{\"features\": {}, \"applicationId\": \"" + new string('x', 5000) + "\"}";

        var response = await PostScoreAsync(agent, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"rule\":\"body-size\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostScore_SameIdempotencyKey_ReturnsStoredDecisionNotANewOne()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        var first = await ReadDecisionAsync(await PostScoreAsync(agent, GoldenSet.RequestBody(GoldenSet.Records[0]), "kiosk-7-0001"));
        var second = await ReadDecisionAsync(await PostScoreAsync(agent, GoldenSet.RequestBody(GoldenSet.Records[1]), "kiosk-7-0001"));
        var other = await ReadDecisionAsync(await PostScoreAsync(agent, GoldenSet.RequestBody(GoldenSet.Records[0]), "kiosk-7-0002"));

        Assert.Equal(first.GetProperty("decisionId").GetString(), second.GetProperty("decisionId").GetString());
        Assert.Equal(first.GetProperty("probability").GetDouble(), second.GetProperty("probability").GetDouble());
        Assert.NotEqual(first.GetProperty("decisionId").GetString(), other.GetProperty("decisionId").GetString());
    }

    [Fact]
    public async Task GetDecision_AfterAgentRestart_ReturnsStoredDecision()
    {
        string decisionId;
        string firstBody;
        await using (var agent = await RunningAgent.StartAsync(_data.Path))
        {
            var response = await PostScoreAsync(agent, GoldenSet.RequestBody(GoldenSet.Records[2], "app-restart"));
            firstBody = await response.Content.ReadAsStringAsync();
            decisionId = JsonDocument.Parse(firstBody).RootElement.GetProperty("decisionId").GetString()!;
        }

        await using var restarted = await RunningAgent.StartAsync(_data.Path);
        var stored = await restarted.Client.GetAsync(new Uri($"/v1/decisions/{decisionId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal(firstBody, await stored.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GetDecision_Unknown_Returns404()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        var response = await agent.Client.GetAsync(new Uri("/v1/decisions/nope", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task GetModel_DefaultPackage_DescribesActiveModelAndSchema()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        using var json = JsonDocument.Parse(await agent.Client.GetStringAsync(new Uri("/v1/model", UriKind.Relative)));
        var root = json.RootElement;
        Assert.Equal("taiwan-credit", root.GetProperty("id").GetString());
        Assert.True(root.GetProperty("sequence").GetInt64() >= 1);
        Assert.Equal(64, root.GetProperty("sha256").GetString()!.Length);
        var names = root.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
        Assert.Contains("CREDIT_LIMIT", names);
        Assert.Contains("PAYMENTDELAY_1", names);
        Assert.DoesNotContain("SEX", names);

        // Models:Variant=auto: every variant replayed golden on this CPU and was timed; the one running is named with why
        var choice = root.GetProperty("variantChoice");
        Assert.Equal("auto", choice.GetProperty("mode").GetString());
        Assert.Equal(root.GetProperty("variant").GetString(), choice.GetProperty("variant").GetString());
        Assert.False(string.IsNullOrEmpty(choice.GetProperty("cpu").GetString()));
        Assert.Contains(root.GetProperty("variant").GetString()!, choice.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var trials = choice.GetProperty("trials").EnumerateArray().ToArray();
        Assert.Equal(["fp32", "int8"], trials.Select(t => t.GetProperty("name").GetString()));
        foreach (var trial in trials)
        {
            Assert.True(trial.GetProperty("passed").GetBoolean());
            Assert.Equal(GoldenSet.Records.Count, trial.GetProperty("goldenRecords").GetInt32());
            Assert.InRange(trial.GetProperty("maxDelta").GetDouble(), 0, 1e-5);
            Assert.True(trial.GetProperty("microsecondsPerDecision").GetDouble() > 0);
        }

        var chosen = trials.Single(t => t.GetProperty("name").GetString() == root.GetProperty("variant").GetString());
        Assert.Equal(trials.Min(t => t.GetProperty("microsecondsPerDecision").GetDouble()), chosen.GetProperty("microsecondsPerDecision").GetDouble(),
            trials.Min(t => t.GetProperty("microsecondsPerDecision").GetDouble()) * VariantSelection.NotSlowerMargin);
    }

    [Fact]
    public async Task HealthReadyMetrics_AgentWithModel_AllAnswer()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        await PostScoreAsync(agent, GoldenSet.RequestBody(GoldenSet.Records[0]));

        Assert.Equal(HttpStatusCode.OK, (await agent.Client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await agent.Client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        var metrics = await agent.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("# TYPE creditedge_decisions_total counter", metrics, StringComparison.Ordinal);
        Assert.Contains("creditedge_decision_seconds_count 1", metrics, StringComparison.Ordinal);
        Assert.Contains("creditedge_model_info{id=\"taiwan-credit\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostScore_NoModelLoaded_Returns503AndNotReady()
    {
        using var emptyModelDir = new TempDirectory("nomodel");
        await using var agent = await RunningAgent.StartAsync(_data.Path, $"--ModelDirectory={emptyModelDir.Path}");

        var response = await PostScoreAsync(agent, GoldenSet.RequestBody(GoldenSet.Records[0]));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("manifest", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await agent.Client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task PostScore_TamperedModelFile_AgentRefusesModelAnd503()
    {
        using var copy = new TempDirectory("tampered");
        foreach (var file in Directory.GetFiles(RepoPaths.DefaultModel))
        {
            File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
        }

        var onnx = Path.Combine(copy.Path, "model.fp32.onnx");
        var bytes = await File.ReadAllBytesAsync(onnx);
        bytes[^10] ^= 0x01;
        await File.WriteAllBytesAsync(onnx, bytes);

        await using var agent = await RunningAgent.StartAsync(_data.Path, $"--ModelDirectory={copy.Path}");
        var response = await PostScoreAsync(agent, GoldenSet.RequestBody(GoldenSet.Records[0]));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("variant-hash", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostScore_TerminalKeyHashesConfiguredNoKioskAddress_401WithoutKeyAnd200WithIt()
    {
        const string Key = "kiosk-7-secret";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)));
        await using var agent = await RunningAgent.StartAsync(_data.Path, $"--Api:TerminalKeyHashes:0={hash}", "--Api:KioskAddresses:0=none");
        var body = GoldenSet.RequestBody(GoldenSet.Records[0]);

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostScoreAsync(agent, body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostScoreAsync(agent, body, bearer: "wrong")).StatusCode);
        var accepted = await PostScoreAsync(agent, body, bearer: Key);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("config-0", (await ReadDecisionAsync(accepted)).GetProperty("terminalId").GetString());
        Assert.Equal(HttpStatusCode.OK, (await agent.Client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task PostScore_ConcurrentRequests_AllDurableAndDistinct()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        var responses = await Task.WhenAll(GoldenSet.Records.Take(64).Select(r => PostScoreAsync(agent, GoldenSet.RequestBody(r))));
        var ids = new List<string>();
        foreach (var response in responses)
        {
            ids.Add((await ReadDecisionAsync(response)).GetProperty("decisionId").GetString()!);
        }

        Assert.Equal(64, ids.Distinct().Count());
        foreach (var id in ids)
        {
            Assert.Equal(HttpStatusCode.OK, (await agent.Client.GetAsync(new Uri($"/v1/decisions/{id}", UriKind.Relative))).StatusCode);
        }
    }

    [Fact]
    public async Task PostScore_OutboxFull_Returns503AndNotReadyButKeepsStoredDecisions()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path, "--Storage:MaxOutbox=2");
        var first = await ReadDecisionAsync(await PostScoreAsync(agent, GoldenSet.RequestBody(GoldenSet.Records[0])));
        await ReadDecisionAsync(await PostScoreAsync(agent, GoldenSet.RequestBody(GoldenSet.Records[1])));

        var refused = await PostScoreAsync(agent, GoldenSet.RequestBody(GoldenSet.Records[2]));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("outbox holds 2", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var ready = await agent.Client.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("outbox full", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var stored = await agent.Client.GetAsync(new Uri($"/v1/decisions/{first.GetProperty("decisionId").GetString()}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
    }

    private static async Task<HttpResponseMessage> PostScoreAsync(RunningAgent agent, string body, string? idempotencyKey = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/score", UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await agent.Client.SendAsync(request);
    }

    private static async Task<JsonElement> ReadDecisionAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
