using System.Device.Gpio;

namespace CreditEdge.Hardware;

/// <summary>
/// An in-memory GPIO board: what was written to outputs can be read back, and inputs are driven with
/// <see cref="SetInput"/> as a wire would drive them. Used when the device has no GPIO chip, and by tests.
/// </summary>
/// <remarks>
/// An undriven input reads its pull: High in <see cref="PinMode.InputPullUp"/>, Low otherwise. Output changes are kept
/// (the last <see cref="HistoryLength"/> of them, stamped by the <see cref="TimeProvider"/>). Thread-safe; pin-change
/// callbacks run synchronously on the thread that called <see cref="SetInput"/>, outside the driver's lock.
/// </remarks>
public sealed class SimulatedGpioDriver : GpioDriver
{
    /// <summary>How many output changes <see cref="History"/> keeps.</summary>
    public const int HistoryLength = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<int, Pin> _pins = [];
    private readonly Queue<PinWrite> _history = new();
    private readonly TimeProvider _time;

    /// <summary>A board with every pin <see cref="HardwareOptions"/> accepts, whose output changes are stamped by <paramref name="time"/>.</summary>
    public SimulatedGpioDriver(TimeProvider time) => _time = time;

    /// <summary>The level last written to <paramref name="pin"/> as an output (Low if never written).</summary>
    public PinValue Output(int pin)
    {
        lock (_gate)
        {
            return PinAt(pin).Written;
        }
    }

    /// <summary>Drives <paramref name="pin"/> from outside, as a button or switch would; raises its edge callbacks if the level it reads changes.</summary>
    public void SetInput(int pin, PinValue value)
    {
        PinChangeEventHandler[] handlers;
        PinEventTypes edge;
        lock (_gate)
        {
            var p = PinAt(pin);
            var before = p.Level;
            p.Driven = value;
            if (p.Mode == PinMode.Output || p.Level == before)
            {
                return;
            }

            edge = value == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
            handlers = p.Callbacks.Where(c => c.Types.HasFlag(edge)).Select(c => c.Handler).ToArray();
        }

        var args = new PinValueChangedEventArgs(edge, pin);
        foreach (var handler in handlers)
        {
            handler(this, args);
        }
    }

    /// <summary>The output changes of all pins, oldest first (the most recent <see cref="HistoryLength"/>).</summary>
    public IReadOnlyList<PinWrite> History()
    {
        lock (_gate)
        {
            return [.. _history];
        }
    }

    /// <inheritdoc/>
    protected override int PinCount => HardwareOptions.MaxPin + 1;

    /// <inheritdoc/>
    protected override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            PinAt(pinNumber).IsOpen = true;
        }
    }

    /// <inheritdoc/>
    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            var p = PinAt(pinNumber);
            p.IsOpen = false;
            p.Callbacks.Clear();
        }
    }

    /// <inheritdoc/>
    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        if (!IsPinModeSupported(pinNumber, mode))
        {
            throw new NotSupportedException($"The simulated board does not support mode {mode} (pin {pinNumber}).");
        }

        lock (_gate)
        {
            OpenPinAt(pinNumber).Mode = mode;
        }
    }

    /// <inheritdoc/>
    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return OpenPinAt(pinNumber).Mode;
        }
    }

    /// <inheritdoc/>
    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.InputPullUp or PinMode.InputPullDown or PinMode.Output;

    /// <inheritdoc/>
    protected override PinValue Read(int pinNumber)
    {
        lock (_gate)
        {
            return OpenPinAt(pinNumber).Level;
        }
    }

    /// <inheritdoc/>
    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_gate)
        {
            var p = OpenPinAt(pinNumber);
            if (p.Written == value)
            {
                return;
            }

            p.Written = value;
            if (_history.Count == HistoryLength)
            {
                _history.Dequeue();
            }

            _history.Enqueue(new PinWrite(_time.GetUtcNow(), pinNumber, value));
        }
    }

    /// <inheritdoc/>
    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource<PinEventTypes>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(object sender, PinValueChangedEventArgs e) => seen.TrySetResult(e.ChangeType);
        AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, OnChange);
        try
        {
            seen.Task.Wait(cancellationToken);
            return new WaitForEventResult { EventTypes = seen.Task.Result };
        }
        catch (OperationCanceledException)
        {
            return new WaitForEventResult { TimedOut = true };
        }
        finally
        {
            RemoveCallbackForPinValueChangedEvent(pinNumber, OnChange);
        }
    }

    /// <inheritdoc/>
    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            OpenPinAt(pinNumber).Callbacks.Add((eventTypes, callback));
        }
    }

    /// <inheritdoc/>
    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            OpenPinAt(pinNumber).Callbacks.RemoveAll(c => c.Handler == callback);
        }
    }

    private Pin PinAt(int pin)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pin);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pin, HardwareOptions.MaxPin);
        if (!_pins.TryGetValue(pin, out var p))
        {
            _pins[pin] = p = new Pin();
        }

        return p;
    }

    private Pin OpenPinAt(int pin)
    {
        var p = PinAt(pin);
        return p.IsOpen ? p : throw new InvalidOperationException($"Pin {pin} is not open on the simulated board.");
    }

    private sealed class Pin
    {
        public bool IsOpen { get; set; }

        public PinMode Mode { get; set; } = PinMode.Input;

        public PinValue Written { get; set; } = PinValue.Low;

        public PinValue? Driven { get; set; }

        public List<(PinEventTypes Types, PinChangeEventHandler Handler)> Callbacks { get; } = [];

        /// <summary>What a read sees: an output reads back what was written; an input what drives it, else its pull.</summary>
        public PinValue Level => Mode == PinMode.Output ? Written : Driven ?? (Mode == PinMode.InputPullUp ? PinValue.High : PinValue.Low);
    }
}
