using Microsoft.Extensions.Logging;

namespace TaskLens.UnitTests.Ingest.Receivers;

/// <summary>Keeps every message logged to it, formatted.</summary>
internal sealed class CountingLogger : ILogger
{
    public List<string> Messages { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Messages.Add(formatter(state, exception));
}
