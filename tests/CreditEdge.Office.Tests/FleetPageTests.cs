using System.Net;
using System.Text.Json;
using CreditEdge.Kiosk.Tests;
using CreditEdge.TestKit;
using Microsoft.Playwright;

namespace CreditEdge.Office.Tests;

/// <summary>The fleet page and its JSON, on a fleet seeded through the real ingest (<see cref="FleetPageFleet"/>).</summary>
public sealed class FleetPageTests(FleetPageFleet fleet, ChromiumFixture chromium) : IClassFixture<FleetPageFleet>, IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task Devices_SeededFleet_StateModelsRolloutAndLockPerDevice()
    {
        using var json = await GetJsonAsync("/api/fleet/devices");
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("online").GetInt32());
        Assert.Equal(1, root.GetProperty("offline").GetInt32());
        var devices = root.GetProperty("devices").EnumerateArray().ToDictionary(d => d.GetProperty("deviceId").GetString()!);
        Assert.Equal(["kiosk-a", "kiosk-b", "kiosk-c"], devices.Keys.Order());

        var a = devices["kiosk-a"];
        Assert.Equal("online", a.GetProperty("state").GetString());
        Assert.Equal("1.2.0", a.GetProperty("modelVersion").GetString());
        Assert.Equal("1.2.0", a.GetProperty("desiredVersion").GetString());
        Assert.Equal("active", a.GetProperty("rolloutState").GetString());
        Assert.Equal(0.31, a.GetProperty("maxPsi").GetDouble(), 6);

        var b = devices["kiosk-b"];
        Assert.Equal("1.1.1", b.GetProperty("modelVersion").GetString());
        Assert.Equal("1.2.0", b.GetProperty("desiredVersion").GetString());
        Assert.Equal("rejected", b.GetProperty("rolloutState").GetString());
        Assert.Equal("golden", b.GetProperty("rolloutCheck").GetString());
        Assert.Equal("enclosure opened", b.GetProperty("locked").GetString());

        var c = devices["kiosk-c"];
        Assert.Equal("offline", c.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, c.GetProperty("desiredVersion").ValueKind);
        Assert.Equal(JsonValueKind.Null, c.GetProperty("maxPsi").ValueKind);
        // last seen: the latest of its status (t+2 min) and its decision (t+1 min)
        Assert.Equal(fleet.Now.AddMinutes(-8), c.GetProperty("lastSeen").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Rollouts_SeededFleet_OneDeviceActiveOneRejected()
    {
        using var json = await GetJsonAsync("/api/fleet/rollouts");
        var rollout = Assert.Single(json.RootElement.GetProperty("rollouts").EnumerateArray());
        Assert.Equal("taiwan-credit", rollout.GetProperty("modelId").GetString());
        Assert.Equal("1.2.0", rollout.GetProperty("version").GetString());
        Assert.Equal(2, rollout.GetProperty("devices").GetInt32());
        Assert.Equal(1, rollout.GetProperty("active").GetInt32());
        Assert.Equal(1, rollout.GetProperty("rejected").GetInt32());
        Assert.Equal(0, rollout.GetProperty("received").GetInt32());
        Assert.Equal(0, rollout.GetProperty("downloading").GetInt32());
        Assert.Equal(0, rollout.GetProperty("rolledBack").GetInt32());
    }

    [Fact]
    public async Task Decisions_SeededFleet_CountsPerOutcomeAndEveryHourOfTheWindow()
    {
        using var json = await GetJsonAsync("/api/fleet/decisions?hours=24");
        var root = json.RootElement;
        var totals = root.GetProperty("totals");
        Assert.Equal(FleetPageFleet.Approve, totals.GetProperty("approve").GetInt64());
        Assert.Equal(FleetPageFleet.Refer, totals.GetProperty("refer").GetInt64());
        Assert.Equal(FleetPageFleet.Decline, totals.GetProperty("decline").GetInt64());
        var hours = root.GetProperty("hours").EnumerateArray().ToList();
        Assert.Equal(24, hours.Count);
        Assert.Equal(FleetPageFleet.Approve + FleetPageFleet.Refer + FleetPageFleet.Decline,
            hours.Sum(h => h.GetProperty("approve").GetInt64() + h.GetProperty("refer").GetInt64() + h.GetProperty("decline").GetInt64()));
    }

    [Fact]
    public async Task Drift_KioskA_EveryFeatureWithBothReportsAndTheThresholds()
    {
        using var json = await GetJsonAsync("/api/fleet/drift?device=kiosk-a&hours=24");
        var root = json.RootElement;
        Assert.Equal(0.1, root.GetProperty("watch").GetDouble());
        Assert.Equal(0.25, root.GetProperty("act").GetDouble());
        var features = root.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(FleetPageFleet.DriftFeatures, features.Select(f => f.GetProperty("feature").GetString()));
        var age = features[0].GetProperty("points").EnumerateArray().Select(p => p.GetProperty("psi").GetDouble()).ToList();
        Assert.Equal([0.12, 0.31], age);
    }

    [Theory]
    [InlineData("/api/fleet/decisions?hours=0", "hours")]
    [InlineData("/api/fleet/decisions?hours=abc", "hours")]
    [InlineData("/api/fleet/drift?hours=5", "device")]
    [InlineData("/api/fleet/drift?device=kiosk-a&hours=721", "hours")]
    public async Task Api_BadParameter_ProblemNamingIt(string url, string parameter)
    {
        using var response = await fleet.Office.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("https://creditedge.dev/problems/fleet-parameter", problem.RootElement.GetProperty("type").GetString());
        Assert.StartsWith($"'{parameter}'", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_UnknownDevice_NotFound()
    {
        using var response = await fleet.Office.Http.GetAsync("/api/fleet/drift?device=kiosk-z");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("kiosk-z", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_StrictContentSecurityPolicyAndNoOutsideReferences()
    {
        using var response = await fleet.Office.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        foreach (var file in new[] { "/", "/fleet/fleet.js", "/fleet/fleet.css" })
        {
            var text = await fleet.Office.Http.GetStringAsync(file);
            Assert.DoesNotContain("http://", text.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.DoesNotContain("https://", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Page_InChromium_ShowsEveryDeviceItsStateModelsDriftAndOutcomes()
    {
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") problems.Add(m.Text); };
        page.PageError += (_, e) => problems.Add(e);
        await page.GotoAsync($"http://127.0.0.1:{fleet.Office.Port}/");
        await page.WaitForSelectorAsync("body[data-loaded='true']");
        await page.WaitForSelectorAsync("#drift figure");

        var rows = page.Locator("#devices tbody tr");
        Assert.Equal(["kiosk-a", "kiosk-b", "kiosk-c"], await rows.Locator("th").AllTextContentsAsync());
        Assert.Equal(["online", "online", "offline"], await rows.Locator("td.state").AllTextContentsAsync());
        Assert.Equal(["taiwan-credit 1.2.0 (fp32)", "taiwan-credit 1.1.1 (fp32)", "taiwan-credit 1.1.1 (fp32)"], await rows.Locator("td.model-active").AllTextContentsAsync());
        Assert.Equal(["taiwan-credit 1.2.0", "taiwan-credit 1.2.0", "—"], await rows.Locator("td.model-desired").AllTextContentsAsync());
        Assert.Equal("3 devices: 2 online, 1 offline", await page.Locator("#summary").TextContentAsync());

        var rollout = page.Locator("#rollouts tbody tr[data-version='1.2.0'] td");
        Assert.Equal(["2", "0", "0", "1", "1", "0"], (await rollout.AllTextContentsAsync()).Take(6));

        Assert.Equal(["approve: 4", "refer: 2", "decline: 1"], await page.Locator("#outcomes li").AllTextContentsAsync());
        foreach (var outcome in new[] { "approve", "refer", "decline" })
        {
            Assert.True(await page.Locator($"#volume svg rect.bar-{outcome}").CountAsync() > 0, $"a {outcome} bar in the volume chart");
        }

        // the most drifting device is shown first: kiosk-a, one chart per feature, each with its two thresholds
        Assert.Equal("kiosk-a", await page.Locator("#drift-device").InputValueAsync());
        Assert.Equal(FleetPageFleet.DriftFeatures, await page.Locator("#drift figure figcaption").AllTextContentsAsync());
        Assert.Equal(3, await page.Locator("#drift figure svg polyline.series").CountAsync());
        Assert.Equal(3, await page.Locator("#drift figure svg line.threshold-alert").CountAsync());
        Assert.Contains("latest 0.310", await page.Locator("#drift figure[data-feature='AGE']").TextContentAsync(), StringComparison.Ordinal);

        // another device's drift on choosing it
        await page.SelectOptionAsync("#drift-device", "kiosk-b");
        await page.Locator("#drift figure[data-feature='AGE']").Filter(new LocatorFilterOptions { HasText = "latest 0.010" }).WaitForAsync();

        var shot = Path.Combine(RepoPaths.Root, "artifacts", "office", "fleet.png");
        Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
        await page.SelectOptionAsync("#drift-device", "kiosk-a");
        await page.Locator("#drift figure[data-feature='AGE']").Filter(new LocatorFilterOptions { HasText = "latest 0.310" }).WaitForAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        Assert.Empty(problems);
    }

    private async Task<JsonDocument> GetJsonAsync(string url)
    {
        using var response = await fleet.Office.Http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }
}
