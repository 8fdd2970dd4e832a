using CreditEdge.TestKit;
using CsCheck;

namespace CreditEdge.Messaging.Tests;

/// <summary>
/// 10,000 hostile command messages (mutated real payloads, random bytes, odd command names) through the device's command
/// dispatcher: each is executed or answered with an error, and nothing ever escapes the handler.
/// </summary>
public sealed class CommandFuzzTests
{
    [Fact]
    public async Task HandleAsync_TenThousandHostilePayloads_NeverThrows()
    {
        // the dispatcher is exercised directly: no broker, no response topic, so nothing is published
        await using var harness = new LinkHarness("mqtt://127.0.0.1:1", "kiosk-fuzz");
        string[] seeds = ["{}", "{\"level\":\"Debug\"}", "{\"level\":\"Warning\",\"category\":\"CreditEdge\"}", "{\"reason\":\"operator\"}", "[]", "null"];
        string[] names = ["status", "sync-now", "set-log-level", "", "+", "#", "status/extra", "\u00e9t\u00e0t", new string('x', 300)];
        var cases = Gen.Select(HostileBodies.From(seeds), Gen.Int[0, names.Length - 1]).Array[10_000].Single();

        foreach (var (payload, name) in cases)
        {
            var message = new ReceivedMessage(Topics.Command("kiosk-fuzz", names[name]), payload, ResponseTopic: null, CorrelationData: default, Retained: false);
            var handled = await Record.ExceptionAsync(() => harness.Commands.HandleAsync(message, CancellationToken.None));
            Assert.True(handled is null, $"payload {Convert.ToBase64String(payload)} to '{names[name]}' threw {handled}");
        }

        Assert.Equal(10_000, cases.Length);
    }
}
