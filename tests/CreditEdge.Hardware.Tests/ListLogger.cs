using Microsoft.Extensions.Logging;

namespace CreditEdge.Hardware.Tests;

/// <summary>A logger that keeps every entry (event id, level, formatted message), for asserting what was logged and why.</summary>
public sealed class ListLogger : ILogger
{
    private readonly List<(EventId Event, LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(EventId Event, LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return _entries.ToArray();
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((eventId, logLevel, formatter(state, exception)));
        }
    }
}
