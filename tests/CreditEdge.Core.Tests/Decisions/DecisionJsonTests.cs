using System.Text.Json;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Policy;

namespace CreditEdge.Core.Tests.Decisions;

public sealed class DecisionJsonTests
{
    // The canonical JSON of this decision as written before decisions recorded their terminal: stored decisions, their
    // audit-chain hashes and synced records of decisions without a terminal must stay these exact bytes.
    private const string BeforeTerminals =
        """{"decisionId":"d-1","applicationId":"app-1","idempotencyKey":null,"outcome":"refer","probability":0.25,"score":571,"reasons":[],"model":{"id":"taiwan-credit","version":"1.1.0","sha256":"ab12","variant":"fp32"},"createdAt":"2026-11-30T08:00:00+00:00","input":[1,2.5]}""";

    private static Decision Sample() => new()
    {
        DecisionId = "d-1",
        ApplicationId = "app-1",
        Outcome = Outcome.Refer,
        Probability = 0.25,
        Score = 571,
        Reasons = [],
        Model = new ModelRef("taiwan-credit", "1.1.0", "ab12", "fp32"),
        CreatedAt = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero),
        Input = [1f, 2.5f],
    };

    [Fact]
    public void Serialize_NoTerminal_ByteIdenticalToBeforeTerminals()
    {
        Assert.Equal(BeforeTerminals, JsonSerializer.Serialize(Sample(), DecisionJson.Default.Decision));
    }

    [Fact]
    public void Serialize_WithTerminal_AddsTerminalIdLastAndRoundTrips()
    {
        var json = JsonSerializer.Serialize(Sample() with { TerminalId = "handheld-07" }, DecisionJson.Default.Decision);

        Assert.Equal(BeforeTerminals[..^1] + ""","terminalId":"handheld-07"}""", json);
        Assert.Equal("handheld-07", JsonSerializer.Deserialize(json, DecisionJson.Default.Decision)!.TerminalId);
        Assert.Null(JsonSerializer.Deserialize(BeforeTerminals, DecisionJson.Default.Decision)!.TerminalId);
    }
}
