using System.Device.Gpio;
using Microsoft.Extensions.Logging;

namespace CreditEdge.Hardware;

/// <summary>
/// The sync push button (<c>Hardware:SyncButtonPin</c>), debounced by <c>Hardware:Debounce</c>. A press raises
/// <see cref="Pressed"/> as soon as it has settled; keeping it held for <c>Hardware:LongPress</c> (counted from the
/// press) also raises <see cref="LongPressed"/>, once per hold. A button already held at start counts only after release.
/// Events are raised on a timer thread; a throwing handler is logged.
/// </summary>
public sealed class SyncButton : IDisposable
{
    private readonly DebouncedInput _input;
    private readonly ITimer _hold;
    private readonly TimeSpan _holdAfterSettle;
    private readonly ILogger _logger;

    /// <summary>Opens the button pin: pull-up and active low when <c>Hardware:ButtonActiveLow</c>, else pull-down and active high.</summary>
    public SyncButton(GpioController gpio, HardwareOptions options, TimeProvider time, ILogger logger)
    {
        var pin = options.SyncButtonPin ?? throw new ArgumentException("Hardware:SyncButtonPin is not set", nameof(options));
        _logger = logger;

        // The press settles one debounce after it began; the hold is counted from the press.
        _holdAfterSettle = options.LongPress - options.Debounce;
        _hold = time.CreateTimer(_ => Log.Guarded(_logger, "long press", LongPressed), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _input = options.ButtonActiveLow
            ? new DebouncedInput(gpio, pin, PinMode.InputPullUp, PinValue.Low, options.Debounce, time, logger)
            : new DebouncedInput(gpio, pin, PinMode.InputPullDown, PinValue.High, options.Debounce, time, logger);
        _input.Changed += OnChanged;
    }

    /// <summary>Whether the button is (settled) held down.</summary>
    public bool IsPressed => _input.IsActive;

    /// <summary>The button was pressed.</summary>
    public event Action? Pressed;

    /// <summary>The button has been held for <c>Hardware:LongPress</c>.</summary>
    public event Action? LongPressed;

    /// <summary>Stops watching the button.</summary>
    public void Dispose()
    {
        _input.Dispose();
        _hold.Dispose();
    }

    private void OnChanged(bool pressed)
    {
        if (!pressed)
        {
            _hold.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        _hold.Change(_holdAfterSettle, Timeout.InfiniteTimeSpan);
        Pressed?.Invoke();
    }
}
