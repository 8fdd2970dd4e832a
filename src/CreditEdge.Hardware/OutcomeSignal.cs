using System.Device.Gpio;
using CreditEdge.Core.Policy;

namespace CreditEdge.Hardware;

/// <summary>
/// Tells the applicant the outcome: the outcome's lamp is lit for <c>Hardware:OutcomePulse</c> while the buzzer beeps
/// once for approve, twice for refer, three times for decline. The pulse is cut in six equal slots (beep, gap, beep, gap,
/// beep, gap), so every beep is equally long whatever the outcome. Non-blocking and thread-safe; a new signal replaces
/// one still running. Parts that are not fitted are skipped.
/// </summary>
public sealed class OutcomeSignal : IDisposable
{
    private const int Slots = 6;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _slot;
    private readonly OutputLine _approve;
    private readonly OutputLine _refer;
    private readonly OutputLine _decline;
    private readonly OutputLine _buzzer;
    private ITimer? _timer;
    private int _generation;
    private int _step;
    private int _beeps;
    private bool _disposed;

    /// <summary>Opens the configured outcome lamps and buzzer as outputs, all off.</summary>
    public OutcomeSignal(GpioController gpio, HardwareOptions options, TimeProvider time)
    {
        _time = time;
        _slot = TimeSpan.FromTicks(options.OutcomePulse.Ticks / Slots); // rounded down: the pulse never outlasts OutcomePulse
        _approve = OutputLine.Open(gpio, options.ApprovePin);
        _refer = OutputLine.Open(gpio, options.ReferPin);
        _decline = OutputLine.Open(gpio, options.DeclinePin);
        _buzzer = OutputLine.Open(gpio, options.BuzzerPin);
    }

    /// <summary>Starts the lamp pulse and beeps for <paramref name="outcome"/> and returns at once.</summary>
    public void Signal(Outcome outcome)
    {
        var (lamp, beeps) = outcome switch
        {
            Outcome.Approve => (_approve, 1),
            Outcome.Refer => (_refer, 2),
            Outcome.Decline => (_decline, 3),
            _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Not an outcome"),
        };
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            StopAndClear();
            (_step, _beeps) = (0, beeps);
            lamp.Set(true);
            _buzzer.Set(true);
            _timer = _time.CreateTimer(Step, _generation, _slot, _slot);
        }
    }

    /// <summary>Stops any signal and turns lamps and buzzer off.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _disposed = true;
                StopAndClear();
            }
        }
    }

    private void Step(object? generation)
    {
        lock (_gate)
        {
            // A tick already on its way when a new signal started belongs to the old one.
            if (_disposed || (int)generation! != _generation)
            {
                return;
            }

            if (++_step == Slots)
            {
                StopAndClear();
                return;
            }

            _buzzer.Set(_step % 2 == 0 && _step / 2 < _beeps);
        }
    }

    private void StopAndClear()
    {
        _timer?.Dispose();
        _timer = null;
        _generation++;
        foreach (var line in new[] { _approve, _refer, _decline, _buzzer })
        {
            line.Set(false);
        }
    }
}
