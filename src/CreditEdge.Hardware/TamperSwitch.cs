using System.Device.Gpio;
using Microsoft.Extensions.Logging;

namespace CreditEdge.Hardware;

/// <summary>
/// The enclosure tamper switch (<c>Hardware:TamperPin</c>), debounced by <c>Hardware:TamperDebounce</c>. The pin is
/// biased towards <c>Hardware:TamperOpenLevel</c>, so a cut or unplugged switch reads open (fail safe). An enclosure
/// already open at start is <see cref="IsOpen"/> at once. Events are raised on a timer thread; a throwing handler is logged.
/// </summary>
public sealed class TamperSwitch : IDisposable
{
    private readonly DebouncedInput _input;

    /// <summary>Opens the tamper pin and reads whether the enclosure is open now.</summary>
    public TamperSwitch(GpioController gpio, HardwareOptions options, TimeProvider time, ILogger logger)
    {
        var pin = options.TamperPin ?? throw new ArgumentException("Hardware:TamperPin is not set", nameof(options));
        _input = options.TamperOpenLevel == PinLevel.High
            ? new DebouncedInput(gpio, pin, PinMode.InputPullUp, PinValue.High, options.TamperDebounce, time, logger)
            : new DebouncedInput(gpio, pin, PinMode.InputPullDown, PinValue.Low, options.TamperDebounce, time, logger);
    }

    /// <summary>Whether the enclosure is (settled) open.</summary>
    public bool IsOpen => _input.IsActive;

    /// <summary>The enclosure opened (true) or closed (false).</summary>
    public event Action<bool>? Changed
    {
        add => _input.Changed += value;
        remove => _input.Changed -= value;
    }

    /// <summary>Stops watching the switch.</summary>
    public void Dispose() => _input.Dispose();
}
