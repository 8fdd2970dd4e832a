using System.Device.Gpio;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CreditEdge.Hardware.Tests;

/// <summary>A board on a simulated driver with every part wired, a fake clock, and the pins' numbers.</summary>
public sealed class Kiosk : IDisposable
{
    public const int Green = 5, Amber = 6, Red = 13, Approve = 16, Refer = 20, Decline = 21, Buzzer = 12, Button = 17, Tamper = 27;

    /// <param name="configure">Changes to the fully wired options.</param>
    /// <param name="wire">Levels driven onto the pins before the board opens (what the hardware shows at boot).</param>
    public Kiosk(Action<HardwareOptions>? configure = null, Action<SimulatedGpioDriver>? wire = null)
    {
        Options = WiredOptions();
        configure?.Invoke(Options);
        Driver = new SimulatedGpioDriver(Time);
        wire?.Invoke(Driver);
        Board = new GpioBoard(Driver, Options, Time, NullLogger.Instance);
    }

    public FakeTimeProvider Time { get; } = new();

    public HardwareOptions Options { get; }

    public SimulatedGpioDriver Driver { get; }

    public GpioBoard Board { get; }

    public static HardwareOptions WiredOptions() => new()
    {
        Driver = GpioDriverChoice.Simulated,
        GreenPin = Green, AmberPin = Amber, RedPin = Red,
        ApprovePin = Approve, ReferPin = Refer, DeclinePin = Decline, BuzzerPin = Buzzer,
        SyncButtonPin = Button, TamperPin = Tamper,
    };

    public bool IsHigh(int pin) => Driver.Output(pin) == PinValue.High;

    /// <summary>
    /// Lets <paramref name="by"/> pass a millisecond at a time, so every timer runs at its own time:
    /// one big <see cref="FakeTimeProvider.Advance"/> runs the timers it passes with the clock already at the end.
    /// </summary>
    public void Advance(TimeSpan by)
    {
        var end = Time.GetUtcNow() + by;
        for (var now = Time.GetUtcNow(); now < end; now = Time.GetUtcNow())
        {
            Time.Advance(TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerMillisecond, (end - now).Ticks)));
        }
    }

    public void Advance(int milliseconds) => Advance(TimeSpan.FromMilliseconds(milliseconds));

    /// <summary>How many times <paramref name="pin"/> went high at or after <paramref name="since"/>.</summary>
    public int RisesOf(int pin, DateTimeOffset since) =>
        Driver.History().Count(w => w.Pin == pin && w.At >= since && w.Value == PinValue.High);

    public void Dispose() => Board.Dispose();
}
