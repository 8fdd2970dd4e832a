using Xunit.Abstractions;

namespace CreditEdge.CrashLoop;

/// <summary>The crash loop, short enough for every test run: five SIGKILLs mid-scoring.</summary>
public sealed class CrashLoopTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CrashLoop_AgentKilledHardFiveTimesMidScoring_EveryAcknowledgedDecisionStoredIngestedOnceChainIntact()
    {
        var options = new CrashLoopOptions { Kills = 5 };

        var result = await new CrashLoopRunner(options, output.WriteLine).RunAsync();

        output.WriteLine(result.Summary());
        Assert.True(result.Passed, result.Summary());
        Assert.Equal(5, result.KillsSurvived);
        Assert.True(result.Acknowledged > 0, "the clients got decisions acknowledged");
        Assert.Equal(result.Acknowledged, result.Stored);
        Assert.Equal(result.Acknowledged, result.Ingested);
        Assert.Equal(0, result.Duplicates);
        Assert.Equal(0, result.AuditExitCode);
    }
}
