using Microsoft.Extensions.Logging;

namespace CreditEdge.Hardware;

/// <summary>The hardware library's log messages, with fixed event ids (5000-5099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "GPIO driver {Driver}: {Reason}")]
    public static partial void DriverChosen(ILogger logger, string driver, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "GPIO driver simulated: /dev/gpiochip{Chip} or a configured pin on it could not be opened (Hardware:Driver {Choice}); lamps, buzzer, button and tamper switch do nothing")]
    public static partial void ChipFailed(ILogger logger, int chip, GpioDriverChoice choice, Exception exception);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Error, Message = "The {Source} handler threw; the input keeps being watched")]
    public static partial void HandlerFailed(ILogger logger, string source, Exception exception);

    /// <summary>Runs an event handler on a timer or pin-change thread, where an exception would end the process: logs it instead.</summary>
    public static void Guarded(ILogger logger, string source, Action? handler)
    {
        try
        {
            handler?.Invoke();
        }
        catch (Exception e)
        {
            HandlerFailed(logger, source, e);
        }
    }
}
