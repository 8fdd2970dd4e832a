namespace CreditEdge.Hardware.Tests;

public class StatusLightTests
{
    private static readonly int[] Lamps = [Kiosk.Green, Kiosk.Amber, Kiosk.Red];

    [Theory]
    [InlineData(LightState.ReadyOnline, Kiosk.Green)]
    [InlineData(LightState.Updating, Kiosk.Amber)]
    [InlineData(LightState.Fault, Kiosk.Red)]
    public void Show_SteadyState_KeepsOnlyItsLampLit(LightState state, int lamp)
    {
        using var kiosk = new Kiosk();

        kiosk.Board.Light.Show(state);

        for (var tick = 0; tick < 8; tick++)
        {
            AssertOnlyLit(kiosk, lamp);
            kiosk.Advance(kiosk.Options.BlinkPeriod / 4);
        }
    }

    [Theory]
    [InlineData(LightState.Starting, Kiosk.Amber)]
    [InlineData(LightState.ReadyOffline, Kiosk.Green)]
    [InlineData(LightState.Locked, Kiosk.Red)]
    public void Show_BlinkingState_TogglesItsLampEveryHalfPeriod(LightState state, int lamp)
    {
        using var kiosk = new Kiosk();
        var half = kiosk.Options.BlinkPeriod / 2;
        var justBefore = half - TimeSpan.FromMilliseconds(1);

        kiosk.Board.Light.Show(state);

        for (var phase = 0; phase < 4; phase++)
        {
            int? lit = phase % 2 == 0 ? lamp : null;
            AssertOnlyLit(kiosk, lit);
            kiosk.Advance(justBefore);
            AssertOnlyLit(kiosk, lit);
            kiosk.Advance(half - justBefore);
        }
    }

    [Fact]
    public void Show_Off_TurnsEveryLampOff()
    {
        using var kiosk = new Kiosk();
        kiosk.Board.Light.Show(LightState.Locked);

        kiosk.Board.Light.Show(LightState.Off);
        kiosk.Advance(kiosk.Options.BlinkPeriod * 2);

        AssertOnlyLit(kiosk, null);
        Assert.Equal(LightState.Off, kiosk.Board.Light.Current);
    }

    [Fact]
    public void Show_SteadyAfterBlinking_StopsTheBlink()
    {
        using var kiosk = new Kiosk();
        kiosk.Board.Light.Show(LightState.Locked);
        kiosk.Advance(kiosk.Options.BlinkPeriod / 4);

        kiosk.Board.Light.Show(LightState.Fault);

        for (var tick = 0; tick < 8; tick++)
        {
            kiosk.Advance(kiosk.Options.BlinkPeriod / 4);
            AssertOnlyLit(kiosk, Kiosk.Red);
        }
    }

    [Fact]
    public void Show_LampNotFitted_IsSkipped()
    {
        using var kiosk = new Kiosk(o => o.GreenPin = null);

        kiosk.Board.Light.Show(LightState.ReadyOffline);
        kiosk.Advance(kiosk.Options.BlinkPeriod);

        Assert.Equal(LightState.ReadyOffline, kiosk.Board.Light.Current);
        AssertOnlyLit(kiosk, null);
    }

    [Fact]
    public void Dispose_WhileLit_TurnsTheLampOff()
    {
        var kiosk = new Kiosk();
        kiosk.Board.Light.Show(LightState.ReadyOnline);

        kiosk.Board.Light.Dispose();

        AssertOnlyLit(kiosk, null);
        kiosk.Dispose();
    }

    private static void AssertOnlyLit(Kiosk kiosk, int? lamp)
    {
        foreach (var pin in Lamps)
        {
            Assert.True(kiosk.IsHigh(pin) == (pin == lamp), $"pin {pin} is {(kiosk.IsHigh(pin) ? "lit" : "dark")} at {kiosk.Time.GetUtcNow():HH:mm:ss.fff}");
        }
    }
}
