namespace CreditEdge.Hardware;

/// <summary>How a technician on site may unlock a kiosk its tamper switch locked (<see cref="HardwareOptions.LocalUnlock"/>).</summary>
public enum LocalUnlockProcedure
{
    /// <summary>Only a signed operator order unlocks.</summary>
    None,

    /// <summary>Holding the sync button for <see cref="HardwareOptions.LongPress"/> with the enclosure closed also unlocks.</summary>
    LongPress,
}
