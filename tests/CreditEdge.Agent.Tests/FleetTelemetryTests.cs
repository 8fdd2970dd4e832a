using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditEdge.Messaging;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CreditEdge.Agent.Tests;

/// <summary>The in-process agent with a broker: telemetry with drift, and commands that reach the host.</summary>
[Collection(BrokerTests.Name)]
public sealed class FleetTelemetryTests : IDisposable
{
    private const string Device = "kiosk-t";
    private readonly TempDirectory _data = new("telemetry");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Telemetry_ReferenceLikeApplicantsThenShiftedOnes_PsiSmallThenLarge()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        // the office takes the decisions too: the pump keeps a decision nobody subscribed to
        await using var office = await MqttProbe.ConnectAsync(broker.Port, "office", subscribe: [Topics.Telemetry(Device), Topics.Decisions(Device)]);
        await using var agent = await RunningAgent.StartAsync(_data.Path, $"--DeviceId={Device}", $"--Mqtt:Broker={broker.Url}", "--Telemetry:Interval=01:00:00");
        var publisher = agent.Services.GetRequiredService<TelemetryPublisher>();
        await agent.Services.GetRequiredService<FleetLink>().WaitConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);

        foreach (var record in GoldenSet.Records)
        {
            await PostAsync(agent, GoldenSet.RequestBody(record));
        }

        // the pump sends the first decisions to the broker: the first report sees an empty outbox (200 stored, 0 waiting)
        var store = agent.Services.GetRequiredService<LiteDecisionStore>();
        await Eventually.HoldsAsync(() => store.Depth == 0, TimeSpan.FromSeconds(30), "the pump to drain the outbox");
        Assert.True(await publisher.PublishOnceAsync(CancellationToken.None));

        // with the pump stopped the shifted decisions stay in the outbox: the second report sees exactly them (400 stored)
        await agent.Services.GetRequiredService<OutboxPump>().StopAsync(CancellationToken.None);
        foreach (var record in GoldenSet.Records)
        {
            var shifted = record.Features.DeepClone().AsObject();
            shifted["PAYMENTDELAY_1"] = 4;
            shifted["CREDIT_LIMIT"] = 900_000;
            await PostAsync(agent, JsonSerializer.Serialize(new { features = shifted }));
        }

        Assert.True(await publisher.PublishOnceAsync(CancellationToken.None));
        await office.WaitForAsync(m => m.Count(x => x.Topic == Topics.Telemetry(Device)) >= 2, TimeSpan.FromSeconds(10), "two telemetry messages");

        var reports = office.Messages.Where(m => m.Topic == Topics.Telemetry(Device)).Select(m => JsonNode.Parse(m.Payload)!).ToArray();
        var reference = reports[0]["drift"]!;
        var shiftedDrift = reports[1]["drift"]!;
        Assert.Equal(GoldenSet.Records.Count, reference["observations"]!.GetValue<long>());
        Assert.InRange(reference["featurePsi"]!["PAYMENTDELAY_1"]!.GetValue<double>(), 0, 0.1);
        Assert.InRange(reference["featurePsi"]!["CREDIT_LIMIT"]!.GetValue<double>(), 0, 0.1);
        Assert.True(shiftedDrift["featurePsi"]!["PAYMENTDELAY_1"]!.GetValue<double>() > 1, "PSI > 0.25 is a major shift");
        Assert.True(shiftedDrift["featurePsi"]!["CREDIT_LIMIT"]!.GetValue<double>() > 1);
        Assert.InRange(shiftedDrift["featurePsi"]!["AGE"]!.GetValue<double>(), 0, 0.1); // untouched feature stays put
        Assert.Equal(2 * GoldenSet.Records.Count, reports[1]["decisions"]!.AsObject().Sum(kv => kv.Value!.GetValue<long>()));
        Assert.Equal(0, reports[0]["outboxDepth"]!.GetValue<long>());
        Assert.Equal(GoldenSet.Records.Count, reports[1]["outboxDepth"]!.GetValue<long>());
        Assert.True(reports[1]["storageBytes"]!.GetValue<long>() > 0);
    }

    [Fact]
    public async Task StatusAndTelemetry_AutoVariant_SayWhichVariantRunsAndWhy()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var office = await MqttProbe.ConnectAsync(broker.Port, "office", subscribe: [Topics.Status(Device), Topics.Telemetry(Device)]);
        await using var agent = await RunningAgent.StartAsync(_data.Path, $"--DeviceId={Device}", $"--Mqtt:Broker={broker.Url}", "--Telemetry:Interval=01:00:00");
        await agent.Services.GetRequiredService<FleetLink>().WaitConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        Assert.True(await agent.Services.GetRequiredService<TelemetryPublisher>().PublishOnceAsync(CancellationToken.None));
        await office.WaitForAsync(m => m.Any(x => x.Topic == Topics.Status(Device)) && m.Any(x => x.Topic == Topics.Telemetry(Device)), TimeSpan.FromSeconds(10), "status and telemetry");

        foreach (var topic in new[] { Topics.Status(Device), Topics.Telemetry(Device) })
        {
            var message = JsonNode.Parse(office.Messages.First(m => m.Topic == topic).Payload)!;
            var choice = message["variantChoice"]!;
            Assert.Equal("auto", choice["mode"]!.GetValue<string>());
            Assert.Equal(message["variant"]!.GetValue<string>(), choice["variant"]!.GetValue<string>());
            Assert.Contains(choice["variant"]!.GetValue<string>(), choice["reason"]!.GetValue<string>(), StringComparison.Ordinal);
            var trials = choice["trials"]!.AsArray();
            Assert.Equal(["fp32", "int8"], trials.Select(t => t!["name"]!.GetValue<string>()));
            Assert.All(trials, t => Assert.True(t!["microsecondsPerDecision"]!.GetValue<double>() > 0));
        }
    }

    [Fact]
    public async Task Command_SetLogLevel_ChangesTheRunningAgentsLogLevel()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var agent = await RunningAgent.StartAsync(_data.Path, $"--DeviceId={Device}", $"--Mqtt:Broker={broker.Url}");
        await agent.Services.GetRequiredService<FleetLink>().WaitConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        var logger = agent.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CreditEdge.Agent.Scoring.ScoringService");
        Assert.False(logger.IsEnabled(LogLevel.Debug));

        await using var office = await MqttProbe.ConnectAsync(broker.Port, "operator", subscribe: $"creditedge/replies/{Device}/#");
        await office.PublishAsync(Topics.Command(Device, "set-log-level"), "{\"level\":\"Debug\"}", responseTopic: $"creditedge/replies/{Device}/1", correlation: [7]);
        await office.WaitForAsync(m => m.Count >= 1, TimeSpan.FromSeconds(10), "the reply");

        Assert.True(JsonNode.Parse(office.Messages.First().Payload)!["ok"]!.GetValue<bool>());
        Assert.True(logger.IsEnabled(LogLevel.Debug));
    }

    private static async Task PostAsync(RunningAgent agent, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await agent.Client.PostAsync(new Uri("/v1/score", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
    }
}
