using System.ComponentModel.DataAnnotations;
using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using Microsoft.Extensions.Logging;

namespace CreditEdge.Hardware;

/// <summary>
/// The kiosk's GPIO parts on one controller: status light, outcome signal, and — when their pins are configured — the
/// sync button and tamper switch. <see cref="Open"/> picks the driver from <c>Hardware:Driver</c> and never fails for
/// want of a GPIO chip: it falls back to the simulated board and logs why.
/// </summary>
public sealed class GpioBoard : IDisposable
{
    private const string SimulatedName = "simulated";
    private const string OffName = "off";

    private readonly GpioController _gpio;

    /// <summary>A board on <paramref name="driver"/>, which it owns from now on (tests pass a <see cref="SimulatedGpioDriver"/> they keep a reference to).</summary>
    /// <exception cref="ValidationException"><paramref name="options"/> break a rule (for example a pin used twice).</exception>
    public GpioBoard(GpioDriver driver, HardwareOptions options, TimeProvider time, ILogger logger)
        : this(driver, driver is SimulatedGpioDriver ? SimulatedName : driver.GetType().Name, Validated(options), time, logger)
    {
    }

    private GpioBoard(GpioDriver driver, string driverName, HardwareOptions options, TimeProvider time, ILogger logger)
    {
        DriverName = driverName;
        Simulated = driverName == OffName ? null : driver as SimulatedGpioDriver;
        _gpio = new GpioController(driver);
        try
        {
            Light = new StatusLight(_gpio, options, time);
            Outcomes = new OutcomeSignal(_gpio, options, time);
            SyncButton = options.SyncButtonPin is null ? null : new SyncButton(_gpio, options, time, logger);
            Tamper = options.TamperPin is null ? null : new TamperSwitch(_gpio, options, time, logger);
        }
        catch
        {
            // Closes the pins opened so far and the driver.
            _gpio.Dispose();
            throw;
        }
    }

    /// <summary>Which driver runs the pins: <c>gpiochip{N}</c>, <c>simulated</c> or <c>off</c>.</summary>
    public string DriverName { get; }

    /// <summary>The simulated board when that is the driver (for diagnostics and tests), else null.</summary>
    public SimulatedGpioDriver? Simulated { get; }

    /// <summary>The status lamps.</summary>
    public StatusLight Light { get; }

    /// <summary>The outcome lamps and buzzer.</summary>
    public OutcomeSignal Outcomes { get; }

    /// <summary>The sync button, or null when <c>Hardware:SyncButtonPin</c> is not set.</summary>
    public SyncButton? SyncButton { get; }

    /// <summary>The tamper switch, or null when <c>Hardware:TamperPin</c> is not set.</summary>
    public TamperSwitch? Tamper { get; }

    /// <summary>Opens the board <c>Hardware:Driver</c> asks for and logs one line saying which driver runs it and why.</summary>
    /// <exception cref="ValidationException"><paramref name="options"/> break a rule (for example a pin used twice).</exception>
    public static GpioBoard Open(HardwareOptions options, TimeProvider time, ILogger logger)
    {
        Validated(options);
        var chip = options.Chip;
        var device = $"/dev/gpiochip{chip}";
        switch (options.Driver)
        {
            case GpioDriverChoice.Off:
                Log.DriverChosen(logger, OffName, "Hardware:Driver is Off; no pin is used");
                return new GpioBoard(new SimulatedGpioDriver(time), OffName, new HardwareOptions(), time, logger);
            case GpioDriverChoice.Simulated:
                Log.DriverChosen(logger, SimulatedName, "Hardware:Driver is Simulated");
                return Simulate(options, time, logger);
            case GpioDriverChoice.Auto when !File.Exists(device):
                Log.DriverChosen(logger, SimulatedName, $"Hardware:Driver is Auto and {device} does not exist");
                return Simulate(options, time, logger);
        }

        try
        {
            var board = new GpioBoard(OpenChip(chip), $"gpiochip{chip}", options, time, logger);
            Log.DriverChosen(logger, board.DriverName, $"Hardware:Driver is {options.Driver} and {device} opened");
            return board;
        }
        catch (Exception e)
        {
            Log.ChipFailed(logger, chip, options.Driver, e);
            return Simulate(options, time, logger);
        }
    }

    /// <summary>Turns every output off and releases the pins and the driver.</summary>
    public void Dispose()
    {
        Tamper?.Dispose();
        SyncButton?.Dispose();
        Outcomes.Dispose();
        Light.Dispose();
        _gpio.Dispose();
    }

    private static HardwareOptions Validated(HardwareOptions options)
    {
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        return options;
    }

    private static GpioBoard Simulate(HardwareOptions options, TimeProvider time, ILogger logger) =>
        new(new SimulatedGpioDriver(time), SimulatedName, options, time, logger);

    /// <summary>libgpiod 1.x first (what <c>new GpioController()</c> tries too), then 2.x, on the configured chip rather than chip 0.</summary>
    private static GpioDriver OpenChip(int chip)
    {
        try
        {
            return new LibGpiodDriver(chip);
        }
        catch (Exception e) when (e is PlatformNotSupportedException or DllNotFoundException or EntryPointNotFoundException)
        {
            return new LibGpiodV2Driver(chip);
        }
    }
}
