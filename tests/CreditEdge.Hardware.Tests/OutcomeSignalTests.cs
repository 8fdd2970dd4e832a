using CreditEdge.Core.Policy;

namespace CreditEdge.Hardware.Tests;

public class OutcomeSignalTests
{
    private static readonly int[] OutcomeLamps = [Kiosk.Approve, Kiosk.Refer, Kiosk.Decline];

    [Theory]
    [InlineData(Outcome.Approve, Kiosk.Approve)]
    [InlineData(Outcome.Refer, Kiosk.Refer)]
    [InlineData(Outcome.Decline, Kiosk.Decline)]
    public void Signal_Outcome_LightsItsLampForOutcomePulse(Outcome outcome, int lamp)
    {
        using var kiosk = new Kiosk();

        kiosk.Board.Outcomes.Signal(outcome);

        Assert.All(OutcomeLamps, pin => Assert.Equal(pin == lamp, kiosk.IsHigh(pin)));
        kiosk.Advance(kiosk.Options.OutcomePulse - TimeSpan.FromMilliseconds(1));
        Assert.True(kiosk.IsHigh(lamp));
        kiosk.Advance(1);
        Assert.All(OutcomeLamps, pin => Assert.False(kiosk.IsHigh(pin)));
        Assert.False(kiosk.IsHigh(Kiosk.Buzzer));
    }

    [Theory]
    [InlineData(Outcome.Approve, 1)]
    [InlineData(Outcome.Refer, 2)]
    [InlineData(Outcome.Decline, 3)]
    public void Signal_Outcome_BeepsItsCount(Outcome outcome, int beeps)
    {
        using var kiosk = new Kiosk();
        var start = kiosk.Time.GetUtcNow();

        kiosk.Board.Outcomes.Signal(outcome);
        kiosk.Advance(kiosk.Options.OutcomePulse * 3);

        Assert.Equal(beeps, kiosk.RisesOf(Kiosk.Buzzer, start));
        Assert.False(kiosk.IsHigh(Kiosk.Buzzer));
    }

    [Fact]
    public void Signal_WhileAnotherRuns_ReplacesIt()
    {
        using var kiosk = new Kiosk();
        kiosk.Board.Outcomes.Signal(Outcome.Decline);
        kiosk.Advance(100);
        var second = kiosk.Time.GetUtcNow();

        kiosk.Board.Outcomes.Signal(Outcome.Approve);

        Assert.False(kiosk.IsHigh(Kiosk.Decline));
        Assert.True(kiosk.IsHigh(Kiosk.Approve));
        kiosk.Advance(kiosk.Options.OutcomePulse - TimeSpan.FromMilliseconds(1));
        Assert.True(kiosk.IsHigh(Kiosk.Approve));
        Assert.False(kiosk.IsHigh(Kiosk.Decline));
        kiosk.Advance(kiosk.Options.OutcomePulse);
        Assert.False(kiosk.IsHigh(Kiosk.Approve));
        Assert.Equal(1, kiosk.RisesOf(Kiosk.Buzzer, second));
    }

    [Fact]
    public void Signal_FromManyThreads_LeavesOneLampLitThenAllDark()
    {
        using var kiosk = new Kiosk();

        for (var round = 0; round < 200; round++)
        {
            Parallel.For(0, 64, i => kiosk.Board.Outcomes.Signal((Outcome)(i % 3)));
            Assert.Single(OutcomeLamps, kiosk.IsHigh);
        }

        kiosk.Advance(kiosk.Options.OutcomePulse);
        Assert.All(OutcomeLamps, pin => Assert.False(kiosk.IsHigh(pin)));
        Assert.False(kiosk.IsHigh(Kiosk.Buzzer));
    }
}
