using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditEdge.Agent.Tests;
using CreditEdge.TestKit;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CreditEdge.Kiosk.Tests;

/// <summary>The kiosk page in headless Chromium on the real agent (Kestrel, LiteDB, ONNX Runtime on the committed package).</summary>
[Collection(ChromiumTests.Name)]
public sealed class KioskPageTests(ChromiumFixture chromium) : IDisposable
{
    private readonly TempDirectory _data = new("kiosk-page");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task GoldenApplicant_FilledAndSubmitted_ShowsTheApiDecisionAndReceipt()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        await using var kiosk = await KioskSession.OpenAsync(chromium.Browser, agent);
        var applicant = GoldenSet.Records[0];
        var api = await ScoreByApiAsync(agent, applicant.Features);

        // the form speaks the package's words (its schema file's texts): each field's label and unit, each code's meaning
        var features = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.DefaultModel, "manifest.json")))!["features"]!.AsArray();
        var worded = 0;
        foreach (var feature in features)
        {
            var name = feature!["name"]!.GetValue<string>();
            var label = kiosk.Page.Locator($"label[for=f-{name}]");
            foreach (var text in new[] { feature["label"], feature["unit"] }.OfType<JsonNode>())
            {
                await Expect(label).ToContainTextAsync(text.GetValue<string>());
                worded++;
            }

            foreach (var (code, meaning) in feature["codeLabels"]?.AsObject() ?? [])
            {
                await Expect(kiosk.Field(name).Locator($"option[value='{code}']")).ToHaveTextAsync(meaning!.GetValue<string>());
                worded++;
            }
        }

        Assert.True(worded > features.Count, $"the default package words its form: {worded} labels, units and code meanings");

        await kiosk.FillAsync(applicant.Features);
        await kiosk.Page.ScreenshotAsync(new() { Path = Path.Combine(KioskSession.ArtifactDirectory, "form.png"), FullPage = true });
        await kiosk.Page.Locator("#submit").ClickAsync();

        var outcome = kiosk.Page.Locator("#outcome");
        await Expect(outcome).ToHaveAttributeAsync("data-outcome", api.GetProperty("outcome").GetString()!);
        await Expect(kiosk.Page.Locator("#score")).ToHaveTextAsync(api.GetProperty("score").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var expectedReasons = api.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("text").GetString()!).ToArray();
        Assert.NotEmpty(expectedReasons);
        await Expect(kiosk.Page.Locator("#reasons li")).ToHaveTextAsync(expectedReasons);
        await Expect(kiosk.Page.Locator("#band")).ToContainTextAsync("band");
        await kiosk.Page.ScreenshotAsync(new() { Path = Path.Combine(KioskSession.ArtifactDirectory, "decision.png") });

        // the decision shown is the stored one
        var decisionId = await kiosk.Page.Locator("#decision-id").InnerTextAsync();
        var stored = await agent.Client.GetFromJsonAsync<JsonElement>($"/v1/decisions/{decisionId}");
        Assert.Equal(api.GetProperty("outcome").GetString(), stored.GetProperty("outcome").GetString());
        Assert.Equal(api.GetProperty("score").GetInt32(), stored.GetProperty("score").GetInt32());

        // the printed receipt: decision id, outcome, score, reasons, model; no applicant inputs
        await kiosk.Page.EmulateMediaAsync(new() { Media = Media.Print });
        await Expect(kiosk.Page.Locator("#receipt")).ToBeVisibleAsync();
        await Expect(kiosk.Page.Locator("#main")).ToBeHiddenAsync();
        await Expect(kiosk.Page.Locator("#r-decision-id")).ToHaveTextAsync(decisionId);
        await Expect(kiosk.Page.Locator("#r-reasons li")).ToHaveTextAsync(expectedReasons);
        var model = api.GetProperty("model");
        await Expect(kiosk.Page.Locator("#r-model")).ToContainTextAsync($"{model.GetProperty("id").GetString()} {model.GetProperty("version").GetString()}");
        var receiptText = await kiosk.Page.Locator("#receipt").InnerTextAsync();
        foreach (var bill in new[] { "BILL_AMT1", "BILL_AMT2", "BILL_AMT3" })
        {
            Assert.DoesNotMatch($@"\b{applicant.Features[bill]!.ToJsonString()}\b", receiptText);
        }
        await kiosk.Page.ScreenshotAsync(new() { Path = Path.Combine(KioskSession.ArtifactDirectory, "receipt.png") });
        await kiosk.Page.PdfAsync(new() { Path = Path.Combine(KioskSession.ArtifactDirectory, "receipt.pdf"), Width = "80mm" });
        await kiosk.Page.EmulateMediaAsync(new() { Media = Media.Screen });

        // New application clears the form
        await kiosk.Page.Locator("#new").ClickAsync();
        await Expect(kiosk.Page.Locator("#application")).ToBeVisibleAsync();
        await Expect(kiosk.Field("AGE")).ToHaveValueAsync("");
        Assert.Empty(kiosk.ConsoleErrors);
    }

    [Fact]
    public async Task AnswerLost_TappedAgain_SameKeyGetsTheStoredDecision()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        await using var kiosk = await KioskSession.OpenAsync(chromium.Browser, agent);
        var keys = new List<string>();
        string? firstDecisionId = null;
        // the first answer is lost on the way back (the agent decided and stored it): the page sees a network error
        await kiosk.Page.RouteAsync("**/v1/score", async route =>
        {
            keys.Add(route.Request.Headers.GetValueOrDefault("idempotency-key") ?? "(none)");
            if (firstDecisionId is null)
            {
                var answer = await route.FetchAsync();
                firstDecisionId = JsonDocument.Parse(await answer.TextAsync()).RootElement.GetProperty("decisionId").GetString();
                await route.AbortAsync();
            }
            else
            {
                await route.ContinueAsync();
            }
        });

        await kiosk.FillAsync(GoldenSet.Records[1].Features);
        await kiosk.Page.Locator("#submit").ClickAsync();
        await Expect(kiosk.Page.Locator("#form-errors")).ToContainTextAsync("did not answer");
        await kiosk.Page.Locator("#submit").ClickAsync();
        await Expect(kiosk.Page.Locator("#outcome")).ToBeVisibleAsync();

        Assert.Equal(2, keys.Count);
        Assert.Equal(keys[0], keys[1]);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", keys[0]);
        Assert.NotNull(firstDecisionId);
        await Expect(kiosk.Page.Locator("#decision-id")).ToHaveTextAsync(firstDecisionId!);

        // a new application gets a new key
        await kiosk.Page.Locator("#new").ClickAsync();
        await kiosk.FillAsync(GoldenSet.Records[1].Features);
        await kiosk.Page.Locator("#submit").ClickAsync();
        await Expect(kiosk.Page.Locator("#outcome")).ToBeVisibleAsync();
        Assert.Equal(3, keys.Count);
        Assert.NotEqual(keys[0], keys[2]);
        await Expect(kiosk.Page.Locator("#decision-id")).Not.ToHaveTextAsync(firstDecisionId!);
    }

    [Fact]
    public async Task OutOfRangeValue_ClientCheck_ShowsFieldErrorAndSendsNothing()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        await using var kiosk = await KioskSession.OpenAsync(chromium.Browser, agent);
        var posts = 0;
        kiosk.Page.Request += (_, request) =>
        {
            if (request.Method == "POST")
            {
                Interlocked.Increment(ref posts);
            }
        };

        await kiosk.FillAsync(GoldenSet.Records[0].Features);
        await kiosk.Field("AGE").FillAsync("150");
        await kiosk.Page.Locator("#submit").ClickAsync();

        await Expect(kiosk.FieldError("AGE")).ToHaveTextAsync("'AGE' must be between 18 and 120");
        await Expect(kiosk.FieldError("AGE")).ToHaveAttributeAsync("data-rule", "range");
        await Expect(kiosk.Field("AGE")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(kiosk.Field("AGE")).ToBeFocusedAsync();
        Assert.Contains("f-AGE-error", await kiosk.Field("AGE").GetAttributeAsync("aria-describedby"), StringComparison.Ordinal);
        await Expect(kiosk.FieldError("CREDIT_LIMIT")).ToBeEmptyAsync();
        await kiosk.Page.ScreenshotAsync(new() { Path = Path.Combine(KioskSession.ArtifactDirectory, "field-error.png") });

        // a fraction for a whole number, and a required field left empty
        await kiosk.Field("AGE").FillAsync("30.5");
        await kiosk.Field("PAYMENTDELAY_1").FillAsync("");
        await kiosk.Page.Locator("#submit").ClickAsync();
        await Expect(kiosk.FieldError("AGE")).ToHaveTextAsync("'AGE' must be a whole number");
        await Expect(kiosk.FieldError("PAYMENTDELAY_1")).ToHaveTextAsync("'PAYMENTDELAY_1' is required");
        Assert.Equal(0, Volatile.Read(ref posts));

        // the page broke the rules the agent breaks for the same body
        var body = (JsonObject)GoldenSet.Records[0].Features.DeepClone();
        body["AGE"] = 30.5;
        body.Remove("PAYMENTDELAY_1");
        using var content = new StringContent(new JsonObject { ["features"] = body }.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var refused = await agent.Client.PostAsync("/v1/score", content);
        var serverRules = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray()
            .ToDictionary(e => e.GetProperty("field").GetString()!, e => e.GetProperty("rule").GetString());
        Assert.Equal(serverRules["features.AGE"], await kiosk.FieldError("AGE").GetAttributeAsync("data-rule"));
        Assert.Equal(serverRules["features.PAYMENTDELAY_1"], await kiosk.FieldError("PAYMENTDELAY_1").GetAttributeAsync("data-rule"));
    }

    [Fact]
    public async Task OutOfRangeValue_ClientCheckBypassed_ShowsTheServersFieldError()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        await using var kiosk = await KioskSession.OpenAsync(chromium.Browser, agent);
        await kiosk.FillAsync(GoldenSet.Records[0].Features);
        await kiosk.Field("AGE").FillAsync("150");
        await kiosk.Field("CREDIT_LIMIT").FillAsync("-5");
        // the client's range comes from the inputs' min/max: without them only the agent can refuse
        await kiosk.Page.EvaluateAsync("() => document.querySelectorAll('#fields input').forEach(i => { i.removeAttribute('min'); i.removeAttribute('max'); })");
        var scored = kiosk.Page.WaitForResponseAsync(r => r.Url.EndsWith("/v1/score", StringComparison.Ordinal));
        await kiosk.Page.Locator("#submit").ClickAsync();
        var response = await scored;

        Assert.Equal(400, response.Status);
        var problem = JsonDocument.Parse(await response.TextAsync()).RootElement;
        var serverMessage = problem.GetProperty("errors").EnumerateArray().Single(e => e.GetProperty("field").GetString() == "features.AGE").GetProperty("message").GetString()!;
        await Expect(kiosk.FieldError("AGE")).ToHaveTextAsync(serverMessage);
        await Expect(kiosk.FieldError("CREDIT_LIMIT")).ToContainTextAsync("'CREDIT_LIMIT' must be between 0 and");
        await Expect(kiosk.Field("CREDIT_LIMIT")).ToBeFocusedAsync();
        await Expect(kiosk.Page.Locator("#result-screen")).ToBeHiddenAsync();
        await kiosk.Page.ScreenshotAsync(new() { Path = Path.Combine(KioskSession.ArtifactDirectory, "server-field-error.png") });
    }

    [Fact]
    public async Task PackageWithOneExtraFeature_FormShowsThatField_PageFilesUnchanged()
    {
        var before = await PageFilesAsync(_data.Combine("default"));
        var package = ExtraFeaturePackage.Create(_data.Combine("extra-package"));
        await using var agent = await RunningAgent.StartAsync(_data.Combine("extra"), $"--ModelDirectory={package}");
        await using var kiosk = await KioskSession.OpenAsync(chromium.Browser, agent);

        var model = await agent.Client.GetFromJsonAsync<JsonElement>("/v1/model");
        var inputs = model.GetProperty("features").GetArrayLength();
        await Expect(kiosk.Page.Locator("#fields input, #fields select")).ToHaveCountAsync(inputs);
        var extra = kiosk.Page.GetByLabel(ExtraFeaturePackage.Label);
        await Expect(extra).ToHaveAttributeAsync("max", "2000000");
        await Expect(extra).ToHaveAttributeAsync("step", "1");
        await Expect(kiosk.Page.Locator($"label[for=f-{ExtraFeaturePackage.Name}]")).ToContainTextAsync(ExtraFeaturePackage.Unit);

        var features = (JsonObject)GoldenSet.Records[0].Features.DeepClone();
        features[ExtraFeaturePackage.Name] = 45000;
        await kiosk.FillAsync(features);
        await kiosk.Page.Locator("#submit").ClickAsync();
        var api = await ScoreByApiAsync(agent, features);
        await Expect(kiosk.Page.Locator("#outcome")).ToHaveAttributeAsync("data-outcome", api.GetProperty("outcome").GetString()!);
        await Expect(kiosk.Page.Locator("#r-model")).ToContainTextAsync("9.0.0-extra");

        Assert.Equal(before, await PageFilesAsync(_data.Combine("after"), agent));
    }

    [Fact]
    public async Task KeyboardOnly_FillSubmitAndStartAgain_EveryControlLabelled()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        await using var kiosk = await KioskSession.OpenAsync(chromium.Browser, agent);
        var page = kiosk.Page;

        // every control has a label with text, a description that exists, and the page says its language
        Assert.Equal("en", await page.Locator("html").GetAttributeAsync("lang"));
        var unlabelled = await page.EvaluateAsync<string[]>(
            """
            () => Array.from(document.querySelectorAll('input, select, button')).filter(e => {
              const named = (e.labels && e.labels.length > 0 && e.labels[0].textContent.trim().length > 0) || (e.tagName === 'BUTTON' && e.textContent.trim().length > 0);
              const described = (e.getAttribute('aria-describedby') || '').split(' ').filter(Boolean).every(id => document.getElementById(id));
              return !(named && described);
            }).map(e => e.id || e.outerHTML)
            """);
        Assert.Empty(unlabelled);
        foreach (var label in await page.Locator("#fields label").AllInnerTextsAsync())
        {
            await Expect(page.GetByLabel(label, new() { Exact = true })).ToHaveCountAsync(1);
        }

        // Tab from the top: the skip link, then the fields in schema order
        var applicant = GoldenSet.Records[2].Features;
        var model = await agent.Client.GetFromJsonAsync<JsonElement>("/v1/model");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator(".skip")).ToBeFocusedAsync();
        Assert.Equal("solid", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));
        foreach (var feature in model.GetProperty("features").EnumerateArray())
        {
            var name = feature.GetProperty("name").GetString()!;
            await page.Keyboard.PressAsync("Tab");
            await Expect(kiosk.Field(name)).ToBeFocusedAsync();
            Assert.Equal("solid", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));
            var value = KioskSession.Text(applicant[name]!);
            if (feature.GetProperty("kind").GetString() == "categorical")
            {
                var codes = feature.GetProperty("codes").EnumerateArray().Select(c => c.GetString()).ToList();
                for (var i = 0; i <= codes.IndexOf(value); i++)
                {
                    await page.Keyboard.PressAsync("ArrowDown");
                }

                await Expect(kiosk.Field(name)).ToHaveValueAsync(value);
            }
            else
            {
                await page.Keyboard.TypeAsync(value);
            }
        }

        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("#submit")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#result-title")).ToBeFocusedAsync();
        await Expect(page.Locator("#reasons li").First).ToBeVisibleAsync();

        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("#print")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("#new")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        var first = model.GetProperty("features")[0].GetProperty("name").GetString()!;
        await Expect(kiosk.Field(first)).ToBeFocusedAsync();
        await Expect(kiosk.Field(first)).ToHaveValueAsync("");
    }

    [Fact]
    public async Task SevenInchScreen_800x480_NoHorizontalScrollTouchTargetsAndContrast()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        await using var kiosk = await KioskSession.OpenAsync(chromium.Browser, agent);
        var page = kiosk.Page;

        await AssertFitsAsync(page, "the empty form");
        await page.Locator("#submit").ClickAsync(); // every field marked required
        await Expect(kiosk.FieldError("AGE")).Not.ToBeEmptyAsync();
        await AssertFitsAsync(page, "the form with every error shown");

        await kiosk.FillAsync(GoldenSet.Records[0].Features);
        await page.Locator("#submit").ClickAsync();
        await Expect(page.Locator("#outcome")).ToBeVisibleAsync();
        await AssertFitsAsync(page, "the decision");
        // the decision and its buttons fit the 480-pixel screen without scrolling
        var bottom = await page.EvaluateAsync<double>("() => document.getElementById('new').getBoundingClientRect().bottom");
        Assert.True(bottom <= 480, $"'New application' ends at {bottom} px, below the 480-pixel screen");
    }

    [Fact]
    public async Task Badge_NoBrokerConfigured_SaysOffline()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        await using var kiosk = await KioskSession.OpenAsync(chromium.Browser, agent);
        await Expect(kiosk.Page.Locator("#badge")).ToHaveTextAsync("Offline");
        await Expect(kiosk.Page.Locator("#submit")).ToBeEnabledAsync();
    }

    [Fact]
    public async Task Badge_BrokerConnected_SaysOnline()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await using var agent = await RunningAgent.StartAsync(_data.Path, $"--Mqtt:Broker={broker.Url}");
        await using var kiosk = await KioskSession.OpenAsync(chromium.Browser, agent);
        await Expect(kiosk.Page.Locator("#badge")).ToHaveTextAsync("Online", new() { Timeout = 30_000 });
        await kiosk.Page.ScreenshotAsync(new() { Path = Path.Combine(KioskSession.ArtifactDirectory, "online.png") });

        await broker.StopAsync();
        await Expect(kiosk.Page.Locator("#badge")).ToHaveTextAsync("Offline", new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task NoModel_PageSaysWhyAndCannotSubmit()
    {
        Directory.CreateDirectory(_data.Combine("empty-package"));
        await using var agent = await RunningAgent.StartAsync(_data.Combine("data"), $"--ModelDirectory={_data.Combine("empty-package")}");
        await using var kiosk = await KioskSession.OpenAsync(chromium.Browser, agent, waitForForm: false);
        await Expect(kiosk.Page.Locator("#notice")).ToContainTextAsync("Decisions are paused: no model loaded");
        await Expect(kiosk.Page.Locator("#loading")).ToContainTextAsync("The form cannot be shown yet");
        await Expect(kiosk.Page.Locator("#submit")).ToBeDisabledAsync();
    }

    [Fact]
    public async Task Page_StrictContentSecurityPolicy_NoConsoleErrors_InlineScriptBlocked()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        await using var kiosk = await KioskSession.OpenAsync(chromium.Browser, agent);
        var headers = await kiosk.Response!.AllHeadersAsync();
        Assert.Contains("default-src 'self'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        Assert.Empty(kiosk.ConsoleErrors);

        await kiosk.Page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.injected = true'; document.head.appendChild(s); }");
        Assert.False(await kiosk.Page.EvaluateAsync<bool>("() => window.injected === true"));
    }

    private static async Task<JsonElement> ScoreByApiAsync(RunningAgent agent, JsonObject features)
    {
        using var content = new StringContent(new JsonObject { ["features"] = features.DeepClone() }.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await agent.Client.PostAsync("/v1/score", content);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The page's files as the agent serves them (a default agent when <paramref name="agent"/> is null).</summary>
    private static async Task<Dictionary<string, string>> PageFilesAsync(string dataDirectory, RunningAgent? agent = null)
    {
        var owned = agent is null ? await RunningAgent.StartAsync(dataDirectory) : null;
        try
        {
            var client = (agent ?? owned!).Client;
            var files = new Dictionary<string, string>();
            foreach (var path in new[] { "/", "/kiosk/kiosk.js", "/kiosk/kiosk.css" })
            {
                files[path] = await client.GetStringAsync(path);
            }

            return files;
        }
        finally
        {
            if (owned is not null)
            {
                await owned.DisposeAsync();
            }
        }
    }

    /// <summary>No horizontal scroll, touch targets of at least 44 px, text contrast of at least 4.5:1.</summary>
    private static async Task AssertFitsAsync(IPage page, string what)
    {
        var widths = await page.EvaluateAsync<double[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"{what}: the page is {widths[0]} px wide on a {widths[1]} px screen");

        var small = await page.EvaluateAsync<string[]>(
            """
            () => Array.from(document.querySelectorAll('input, select, button')).filter(e => e.offsetParent !== null)
              .filter(e => { const r = e.getBoundingClientRect(); return r.height < 44 || r.width < 44; })
              .map(e => `${e.id} ${e.getBoundingClientRect().width}x${e.getBoundingClientRect().height}`)
            """);
        Assert.True(small.Length == 0, $"{what}: touch targets under 44 px: {string.Join(", ", small)}");

        var lowContrast = await page.EvaluateAsync<string[]>(
            """
            () => {
              const rgb = s => s.match(/[\d.]+/g).map(Number);
              const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); }); return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
              const background = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
              const bad = [];
              for (const e of document.querySelectorAll('body *')) {
                if (e.offsetParent === null && e.tagName !== 'BODY') continue;
                const ownText = Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim().length > 0);
                if (!ownText) continue;
                const a = lum(rgb(getComputedStyle(e).color)), b = lum(background(e));
                const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
                if (ratio < 4.5) bad.push(`${e.tagName}#${e.id} '${e.textContent.trim().slice(0, 30)}' ${ratio.toFixed(2)}`);
              }
              return bad;
            }
            """);
        Assert.True(lowContrast.Length == 0, $"{what}: contrast under 4.5:1: {string.Join("; ", lowContrast)}");
    }
}
