namespace CreditEdge.Hardware;

/// <summary>Which GPIO driver the kiosk uses (<c>Hardware:Driver</c>).</summary>
public enum GpioDriverChoice
{
    /// <summary>The GPIO chip if <c>/dev/gpiochip{Chip}</c> exists and opens, else <see cref="Simulated"/>. Never fails the start.</summary>
    Auto,

    /// <summary>The GPIO chip through libgpiod; if it cannot be opened an error is logged and the simulated board is used.</summary>
    Gpio,

    /// <summary>An in-memory board: outputs go nowhere, inputs stay at their pull level.</summary>
    Simulated,

    /// <summary>No pins at all: the configured pins are ignored.</summary>
    Off,
}
