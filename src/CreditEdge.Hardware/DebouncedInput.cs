using System.Device.Gpio;
using Microsoft.Extensions.Logging;

namespace CreditEdge.Hardware;

/// <summary>
/// An input pin whose level counts only once it has held for the debounce interval: every edge restarts the wait, so
/// contact bounce and short glitches are never reported. <see cref="Changed"/> is raised on a timer thread.
/// </summary>
public sealed class DebouncedInput : IDisposable
{
    private readonly Lock _gate = new();
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly PinValue _activeLevel;
    private readonly TimeSpan _debounce;
    private readonly ILogger _logger;
    private readonly ITimer _settle;
    private bool _active;
    private bool _disposed;

    /// <summary>Opens <paramref name="pin"/> as an input and takes its present level as the starting state.</summary>
    /// <param name="gpio">The controller the pin belongs to.</param>
    /// <param name="pin">The pin.</param>
    /// <param name="bias">
    /// <see cref="PinMode.InputPullUp"/> or <see cref="PinMode.InputPullDown"/>; if the driver cannot bias the line,
    /// plain <see cref="PinMode.Input"/> is used and an external resistor must do it.
    /// </param>
    /// <param name="activeLevel">The level that means active (pressed, open).</param>
    /// <param name="debounce">How long a level must hold before it counts.</param>
    /// <param name="time">The clock for the debounce timer.</param>
    /// <param name="logger">Where a throwing <see cref="Changed"/> handler is logged.</param>
    public DebouncedInput(GpioController gpio, int pin, PinMode bias, PinValue activeLevel, TimeSpan debounce, TimeProvider time, ILogger logger)
    {
        (_gpio, _pin, _activeLevel, _debounce, _logger) = (gpio, pin, activeLevel, debounce, logger);
        gpio.OpenPin(pin, gpio.IsPinModeSupported(pin, bias) ? bias : PinMode.Input);
        _settle = time.CreateTimer(Settle, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        // Listen before reading: an edge in between restarts the wait and the settled level is read again.
        gpio.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Rising | PinEventTypes.Falling, OnEdge);
        _active = gpio.Read(pin) == activeLevel;
    }

    /// <summary>Whether the settled level is the active level.</summary>
    public bool IsActive
    {
        get
        {
            lock (_gate)
            {
                return _active;
            }
        }
    }

    /// <summary>The settled state changed (true = now active). A throwing handler is logged, not rethrown.</summary>
    public event Action<bool>? Changed;

    /// <summary>Stops watching the pin.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _settle.Dispose();
            _gpio.UnregisterCallbackForPinValueChangedEvent(_pin, OnEdge);
        }
    }

    private void OnEdge(object sender, PinValueChangedEventArgs e)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _settle.Change(_debounce, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Settle(object? state)
    {
        bool active;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            active = _gpio.Read(_pin) == _activeLevel;
            if (active == _active)
            {
                return;
            }

            _active = active;
        }

        Log.Guarded(_logger, $"pin {_pin} change", () => Changed?.Invoke(active));
    }
}
