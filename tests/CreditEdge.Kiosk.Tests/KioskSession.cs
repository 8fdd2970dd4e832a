using System.Text.Json.Nodes;
using CreditEdge.Agent.Tests;
using CreditEdge.TestKit;
using Microsoft.Playwright;

namespace CreditEdge.Kiosk.Tests;

/// <summary>One browser context on a running agent's kiosk page, with what the console said.</summary>
public sealed class KioskSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    private KioskSession(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (ConsoleErrors)
                {
                    ConsoleErrors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (ConsoleErrors)
            {
                ConsoleErrors.Add("page error: " + error);
            }
        };
    }

    public IPage Page { get; }

    public List<string> ConsoleErrors { get; } = [];

    /// <summary>Where screenshots and the receipt go: <c>artifacts/kiosk</c> under the repository root (git-ignored).</summary>
    public static string ArtifactDirectory
    {
        get
        {
            var dir = Path.Combine(RepoPaths.Root, "artifacts", "kiosk");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    /// <summary>A 7-inch kiosk screen (800×480, touch) on the agent's page, the form loaded.</summary>
    public static async Task<KioskSession> OpenAsync(IBrowser browser, RunningAgent agent, int width = 800, int height = 480, bool waitForForm = true)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            HasTouch = true,
            BaseURL = agent.Client.BaseAddress!.ToString(),
        });
        var page = await context.NewPageAsync();
        var session = new KioskSession(context, page);
        session.Response = await page.GotoAsync("/");
        if (waitForForm)
        {
            await Assertions.Expect(page.Locator("#application")).ToBeVisibleAsync();
        }

        return session;
    }

    public IResponse? Response { get; private set; }

    public ILocator Field(string feature) => Page.Locator($"#f-{feature}");

    public ILocator FieldError(string feature) => Page.Locator($"#f-{feature}-error");

    /// <summary>Fills every form field from a request's features (numbers typed, codes chosen).</summary>
    public async Task FillAsync(JsonObject features)
    {
        foreach (var (name, value) in features)
        {
            var field = Field(name);
            var tag = await field.EvaluateAsync<string>("e => e.tagName");
            var text = Text(value!);
            if (tag == "SELECT")
            {
                await field.SelectOptionAsync(new SelectOptionValue { Value = text });
            }
            else
            {
                await field.FillAsync(text);
            }
        }
    }

    /// <summary>A request value as a person types it: a code as it is, a number in invariant digits.</summary>
    public static string Text(JsonNode value) => value.GetValueKind() == System.Text.Json.JsonValueKind.String
        ? value.GetValue<string>()
        : value.ToJsonString();

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
    }
}
