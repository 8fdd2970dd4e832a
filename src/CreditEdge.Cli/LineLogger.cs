using Microsoft.Extensions.Logging;

namespace CreditEdge.Cli;

/// <summary>
/// Log messages from the libraries a command drives (e.g. the MQTT link reconnecting) as progress lines ("· …") on
/// stderr, from <paramref name="minimum"/> up; an exception adds its message on the same line.
/// </summary>
internal sealed class LineLogger(TextWriter writer, LogLevel minimum) : ILogger
{
    private readonly Lock _gate = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var text = formatter(state, exception);
        if (exception is not null)
        {
            text += $": {exception.Message}";
        }

        lock (_gate)
        {
            writer.WriteLine($"· {text.ReplaceLineEndings(" ")}");
            writer.Flush();
        }
    }
}
