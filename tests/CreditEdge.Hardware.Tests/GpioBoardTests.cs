using System.Device.Gpio;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CreditEdge.Hardware.Tests;

public class GpioBoardTests
{
    private const int MissingChip = 99;

    [Fact]
    public void Open_AutoWithMissingChip_PicksSimulatedAndLogsWhy()
    {
        Assert.False(File.Exists($"/dev/gpiochip{MissingChip}"), "this test needs a chip number the machine does not have");
        var logger = new ListLogger();
        var options = Kiosk.WiredOptions();
        (options.Driver, options.Chip) = (GpioDriverChoice.Auto, MissingChip);

        using var board = GpioBoard.Open(options, new FakeTimeProvider(), logger);

        Assert.Equal("simulated", board.DriverName);
        Assert.NotNull(board.Simulated);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal(5001, entry.Event.Id);
        Assert.Contains("/dev/gpiochip99 does not exist", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_GpioChipThatCannotOpen_FallsBackToSimulatedAndLogsError()
    {
        var logger = new ListLogger();
        var options = Kiosk.WiredOptions();
        (options.Driver, options.Chip) = (GpioDriverChoice.Gpio, MissingChip);

        using var board = GpioBoard.Open(options, new FakeTimeProvider(), logger);

        Assert.Equal("simulated", board.DriverName);
        Assert.NotNull(board.Simulated);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal((5002, LogLevel.Error), (entry.Event.Id, entry.Level));
    }

    [Fact]
    public void Open_Off_UsesNoPins()
    {
        var logger = new ListLogger();
        var options = Kiosk.WiredOptions();
        options.Driver = GpioDriverChoice.Off;

        using var board = GpioBoard.Open(options, new FakeTimeProvider(), logger);
        board.Light.Show(LightState.ReadyOnline);
        board.Outcomes.Signal(Core.Policy.Outcome.Approve);

        Assert.Equal("off", board.DriverName);
        Assert.Null(board.Simulated);
        Assert.Null(board.SyncButton);
        Assert.Null(board.Tamper);
        Assert.Equal(LightState.ReadyOnline, board.Light.Current);
        Assert.Equal(5001, Assert.Single(logger.Entries).Event.Id);
    }

    [Fact]
    public void Open_Simulated_WiresEveryConfiguredPart()
    {
        using var board = GpioBoard.Open(Kiosk.WiredOptions(), new FakeTimeProvider(), new ListLogger());

        board.Light.Show(LightState.ReadyOnline);
        board.Outcomes.Signal(Core.Policy.Outcome.Refer);

        Assert.Equal("simulated", board.DriverName);
        Assert.Equal(PinValue.High, board.Simulated!.Output(Kiosk.Green));
        Assert.Equal(PinValue.High, board.Simulated.Output(Kiosk.Refer));
        Assert.NotNull(board.SyncButton);
        Assert.NotNull(board.Tamper);
    }

    [Fact]
    public void Open_PartsNotConfigured_AreNull()
    {
        var options = Kiosk.WiredOptions();
        (options.SyncButtonPin, options.TamperPin) = (null, null);

        using var board = GpioBoard.Open(options, new FakeTimeProvider(), new ListLogger());

        Assert.Null(board.SyncButton);
        Assert.Null(board.Tamper);
    }

    [Fact]
    public void Open_DuplicatePins_IsRefused()
    {
        var options = Kiosk.WiredOptions();
        options.BuzzerPin = Kiosk.Red;

        var error = Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(
            () => GpioBoard.Open(options, new FakeTimeProvider(), new ListLogger()));

        Assert.Contains("Hardware:RedPin, Hardware:BuzzerPin", error.Message, StringComparison.Ordinal);
    }
}
