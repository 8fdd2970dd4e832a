using System.Device.Gpio;
using System.Net.Http.Json;
using System.Text.Json;
using CreditEdge.Agent.Hardware;
using CreditEdge.Agent.Tests;
using CreditEdge.Hardware;
using CreditEdge.TestKit;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace CreditEdge.Kiosk.Tests;

/// <summary>The page when the agent cannot decide: a locked kiosk (tamper switch on the simulated board).</summary>
[Collection(ChromiumTests.Name)]
public sealed class KioskLockedTests(ChromiumFixture chromium) : IDisposable
{
    private const int TamperPin = 17;

    private readonly TempDirectory _data = new("kiosk-locked");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task KioskLocked_SubmitShowsTheAgents503Reason_ThenTheBadgePollPausesDecisions()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path, services =>
        {
            var board = services.GetRequiredService<GpioBoard>();
            board.Simulated!.SetInput(TamperPin, PinValue.Low);
            Assert.True(SpinWait.SpinUntil(() => !board.Tamper!.IsOpen, TimeSpan.FromSeconds(5)), "the switch reads closed");
        }, "--Hardware:Driver=Simulated", $"--Hardware:TamperPin={TamperPin}");
        var readyStatus = await agent.Client.GetStringAsync("/v1/status");
        Assert.True(JsonDocument.Parse(readyStatus).RootElement.GetProperty("ready").GetBoolean());
        await using var kiosk = await KioskSession.OpenAsync(chromium.Browser, agent);
        // the page keeps believing the agent is ready (its last poll), so the submit itself meets the lock
        await kiosk.Page.RouteAsync("**/v1/status", route => route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = readyStatus }));
        await kiosk.FillAsync(GoldenSet.Records[0].Features);

        var tamper = agent.Services.GetRequiredService<TamperLock>();
        agent.Services.GetRequiredService<GpioBoard>().Simulated!.SetInput(TamperPin, PinValue.High); // the enclosure opens
        await Eventually.HoldsAsync(() => tamper.RefusalReason is not null, TimeSpan.FromSeconds(10), "the kiosk locked");
        var reason = tamper.RefusalReason!;

        await kiosk.Page.Locator("#submit").ClickAsync();
        await Expect(kiosk.Page.Locator("#form-errors")).ToHaveTextAsync("The agent cannot decide right now: " + reason);
        await Expect(kiosk.Page.Locator("#result-screen")).ToBeHiddenAsync();

        // the next real poll pauses the form and says why
        await kiosk.Page.UnrouteAsync("**/v1/status");
        await Expect(kiosk.Page.Locator("#notice")).ToHaveTextAsync("Decisions are paused: " + reason, new() { Timeout = 15_000 });
        await Expect(kiosk.Page.Locator("#submit")).ToBeDisabledAsync();
        var status = await agent.Client.GetFromJsonAsync<JsonElement>("/v1/status");
        Assert.False(status.GetProperty("ready").GetBoolean());
        await kiosk.Page.ScreenshotAsync(new() { Path = Path.Combine(KioskSession.ArtifactDirectory, "locked.png") });
    }
}
