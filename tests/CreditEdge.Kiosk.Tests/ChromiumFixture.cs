using Microsoft.Playwright;

namespace CreditEdge.Kiosk.Tests;

/// <summary>
/// Debian's headless Chromium driven by Playwright, one browser for the browser tests (each test gets its own context).
/// Playwright's browser download is never used: the tests need the <c>chromium</c> package (.ci/run installs it).
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's 'chromium' package (apt-get install chromium)");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // root in CI containers: Chromium's sandbox needs user namespaces it may not get there
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
