using System.Device.Gpio;

namespace CreditEdge.Hardware;

/// <summary>
/// The green/amber/red status lamps (see <see cref="LightState"/> for what each state shows). Blinking lamps toggle every
/// half <c>Hardware:BlinkPeriod</c> on a timer; lamps that are not fitted are skipped. Thread-safe.
/// </summary>
public sealed class StatusLight : IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _half;
    private readonly OutputLine _green;
    private readonly OutputLine _amber;
    private readonly OutputLine _red;
    private LightState _current = LightState.Off;
    private ITimer? _blink;
    private int _generation;
    private bool _blinkOn;
    private bool _disposed;

    /// <summary>Opens the configured lamp pins as outputs, all off.</summary>
    public StatusLight(GpioController gpio, HardwareOptions options, TimeProvider time)
    {
        _time = time;
        _half = options.BlinkPeriod / 2;
        _green = OutputLine.Open(gpio, options.GreenPin);
        _amber = OutputLine.Open(gpio, options.AmberPin);
        _red = OutputLine.Open(gpio, options.RedPin);
    }

    /// <summary>The state last shown.</summary>
    public LightState Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Shows <paramref name="state"/>; showing the state already shown changes nothing (a blink keeps its rhythm).</summary>
    public void Show(LightState state)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (state == _current)
            {
                return;
            }

            _current = state;
            StopBlinking();
            var (lamp, blinking) = state switch
            {
                LightState.Starting => (_amber, true),
                LightState.ReadyOnline => (_green, false),
                LightState.ReadyOffline => (_green, true),
                LightState.Updating => (_amber, false),
                LightState.Fault => (_red, false),
                LightState.Locked => (_red, true),
                _ => (null, false),
            };
            foreach (var line in new[] { _green, _amber, _red })
            {
                line.Set(line == lamp);
            }

            if (blinking)
            {
                _blinkOn = true;
                _blink = _time.CreateTimer(Toggle, (lamp, _generation), _half, _half);
            }
        }
    }

    /// <summary>Stops blinking and turns every lamp off.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            StopBlinking();
            foreach (var line in new[] { _green, _amber, _red })
            {
                line.Set(false);
            }
        }
    }

    private void Toggle(object? state)
    {
        var (lamp, generation) = ((OutputLine, int))state!;
        lock (_gate)
        {
            // A tick already on its way when the state changed belongs to the old state.
            if (_disposed || generation != _generation)
            {
                return;
            }

            _blinkOn = !_blinkOn;
            lamp.Set(_blinkOn);
        }
    }

    private void StopBlinking()
    {
        _blink?.Dispose();
        _blink = null;
        _generation++;
    }
}
