using System.Device.Gpio;

namespace CreditEdge.Hardware.Tests;

public class TamperSwitchTests
{
    private static Kiosk ClosedKiosk() => new(wire: d => d.SetInput(Kiosk.Tamper, PinValue.Low));

    [Fact]
    public void Open_HeldForTamperDebounce_RaisesChangedTrue()
    {
        using var kiosk = ClosedKiosk();
        var tamper = kiosk.Board.Tamper!;
        var changes = new List<bool>();
        tamper.Changed += changes.Add;
        Assert.False(tamper.IsOpen);

        kiosk.Driver.SetInput(Kiosk.Tamper, PinValue.High);

        kiosk.Advance(kiosk.Options.TamperDebounce - TimeSpan.FromMilliseconds(1));
        Assert.Empty(changes);
        kiosk.Advance(1);
        Assert.Equal([true], changes);
        Assert.True(tamper.IsOpen);
    }

    [Fact]
    public void Open_GlitchShorterThanTamperDebounce_RaisesNothing()
    {
        using var kiosk = ClosedKiosk();
        var changes = new List<bool>();
        kiosk.Board.Tamper!.Changed += changes.Add;

        kiosk.Driver.SetInput(Kiosk.Tamper, PinValue.High);
        kiosk.Advance(kiosk.Options.TamperDebounce - TimeSpan.FromMilliseconds(20));
        kiosk.Driver.SetInput(Kiosk.Tamper, PinValue.Low);
        kiosk.Advance(kiosk.Options.TamperDebounce * 5);

        Assert.Empty(changes);
        Assert.False(kiosk.Board.Tamper.IsOpen);
    }

    [Fact]
    public void Close_AfterOpen_RaisesChangedFalse()
    {
        using var kiosk = ClosedKiosk();
        var changes = new List<bool>();
        kiosk.Board.Tamper!.Changed += changes.Add;

        kiosk.Driver.SetInput(Kiosk.Tamper, PinValue.High);
        kiosk.Advance(kiosk.Options.TamperDebounce);
        kiosk.Driver.SetInput(Kiosk.Tamper, PinValue.Low);
        kiosk.Advance(kiosk.Options.TamperDebounce);

        Assert.Equal([true, false], changes);
    }

    [Fact]
    public void Start_EnclosureAlreadyOpen_IsOpen()
    {
        using var kiosk = new Kiosk(wire: d => d.SetInput(Kiosk.Tamper, PinValue.High));

        Assert.True(kiosk.Board.Tamper!.IsOpen);
    }

    [Fact]
    public void Start_SwitchWireCut_ReadsOpen()
    {
        // Nothing drives the pin: only the pull-up holds it, as with a cut wire.
        using var kiosk = new Kiosk();

        Assert.True(kiosk.Board.Tamper!.IsOpen);
    }

    [Fact]
    public void Open_OpenLevelLow_CountsTheLowLevel()
    {
        using var kiosk = new Kiosk(o => o.TamperOpenLevel = PinLevel.Low, d => d.SetInput(Kiosk.Tamper, PinValue.High));
        var tamper = kiosk.Board.Tamper!;
        Assert.False(tamper.IsOpen);

        kiosk.Driver.SetInput(Kiosk.Tamper, PinValue.Low);
        kiosk.Advance(kiosk.Options.TamperDebounce);

        Assert.True(tamper.IsOpen);
    }
}
