using System.Device.Gpio;

namespace CreditEdge.Hardware.Tests;

public class SyncButtonTests
{
    [Fact]
    public void Press_BouncesShorterThanDebounce_RaiseNothing()
    {
        using var kiosk = new Kiosk();
        var button = kiosk.Board.SyncButton!;
        var pressed = 0;
        button.Pressed += () => pressed++;

        for (var bounce = 0; bounce < 5; bounce++)
        {
            kiosk.Driver.SetInput(Kiosk.Button, PinValue.Low);
            kiosk.Advance(30);
            kiosk.Driver.SetInput(Kiosk.Button, PinValue.High);
            kiosk.Advance(30);
        }

        kiosk.Advance(1_000);

        Assert.Equal(0, pressed);
        Assert.False(button.IsPressed);
    }

    [Fact]
    public void Press_StableAfterBounces_RaisesPressedOnceAfterDebounce()
    {
        using var kiosk = new Kiosk();
        var button = kiosk.Board.SyncButton!;
        var pressed = 0;
        button.Pressed += () => pressed++;
        kiosk.Driver.SetInput(Kiosk.Button, PinValue.Low);
        kiosk.Advance(10);
        kiosk.Driver.SetInput(Kiosk.Button, PinValue.High);
        kiosk.Advance(10);
        kiosk.Driver.SetInput(Kiosk.Button, PinValue.Low);

        kiosk.Advance(kiosk.Options.Debounce - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, pressed);
        kiosk.Advance(1);
        Assert.Equal(1, pressed);
        Assert.True(button.IsPressed);

        kiosk.Advance(1_000);
        kiosk.Driver.SetInput(Kiosk.Button, PinValue.High);
        kiosk.Advance(1_000);
        Assert.Equal(1, pressed);
        Assert.False(button.IsPressed);
    }

    [Fact]
    public void Hold_ForLongPress_RaisesLongPressedOnce()
    {
        using var kiosk = new Kiosk();
        var longPressed = 0;
        kiosk.Board.SyncButton!.LongPressed += () => longPressed++;

        kiosk.Driver.SetInput(Kiosk.Button, PinValue.Low);

        kiosk.Advance(kiosk.Options.LongPress - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, longPressed);
        kiosk.Advance(1);
        Assert.Equal(1, longPressed);
        kiosk.Advance(kiosk.Options.LongPress * 3);
        Assert.Equal(1, longPressed);
    }

    [Fact]
    public void Hold_ReleasedBeforeLongPress_RaisesNoLongPress()
    {
        using var kiosk = new Kiosk();
        var longPressed = 0;
        kiosk.Board.SyncButton!.LongPressed += () => longPressed++;

        kiosk.Driver.SetInput(Kiosk.Button, PinValue.Low);
        kiosk.Advance(kiosk.Options.LongPress - TimeSpan.FromSeconds(1));
        kiosk.Driver.SetInput(Kiosk.Button, PinValue.High);
        kiosk.Advance(kiosk.Options.LongPress * 2);

        Assert.Equal(0, longPressed);
    }

    [Fact]
    public void Press_ActiveHighButton_CountsTheHighLevel()
    {
        using var kiosk = new Kiosk(o => o.ButtonActiveLow = false);
        var pressed = 0;
        kiosk.Board.SyncButton!.Pressed += () => pressed++;

        kiosk.Driver.SetInput(Kiosk.Button, PinValue.High);
        kiosk.Advance(kiosk.Options.Debounce);

        Assert.Equal(1, pressed);
    }

    [Fact]
    public void Press_HandlerThrows_ButtonKeepsWorking()
    {
        using var kiosk = new Kiosk();
        var pressed = 0;
        kiosk.Board.SyncButton!.Pressed += () => throw new InvalidOperationException("sync failed");
        kiosk.Board.SyncButton!.LongPressed += () => pressed++;

        kiosk.Driver.SetInput(Kiosk.Button, PinValue.Low);
        kiosk.Advance(kiosk.Options.LongPress);

        Assert.Equal(1, pressed);
    }
}
