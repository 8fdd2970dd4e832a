using System.Device.Gpio;

namespace CreditEdge.Hardware;

/// <summary>An output pin that may not be fitted: opened low if configured, and writes to an unfitted one do nothing.</summary>
internal sealed class OutputLine
{
    private readonly GpioController _gpio;
    private readonly int? _pin;

    private OutputLine(GpioController gpio, int? pin) => (_gpio, _pin) = (gpio, pin);

    public static OutputLine Open(GpioController gpio, int? pin)
    {
        if (pin is int p)
        {
            gpio.OpenPin(p, PinMode.Output, PinValue.Low);
        }

        return new OutputLine(gpio, pin);
    }

    public void Set(bool on)
    {
        if (_pin is int p)
        {
            _gpio.Write(p, on ? PinValue.High : PinValue.Low);
        }
    }
}
