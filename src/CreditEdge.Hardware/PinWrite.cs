using System.Device.Gpio;

namespace CreditEdge.Hardware;

/// <summary>One change of an output level on a <see cref="SimulatedGpioDriver"/>: when, which pin, the new level.</summary>
public readonly record struct PinWrite(DateTimeOffset At, int Pin, PinValue Value);
