namespace CreditEdge.Kiosk.Tests;

/// <summary>The browser tests share one Chromium and run one at a time (two cores, shared with the agent under test).</summary>
[CollectionDefinition(Name)]
public sealed class ChromiumTests : ICollectionFixture<ChromiumFixture>
{
    public const string Name = "chromium";
}
