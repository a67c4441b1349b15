using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace TaskLens.Server;

/// <summary>
/// The console log format: one line per entry (<c>info: Category[EventId] message</c>), the exception on the lines
/// after it. Line breaks and other control characters in the message are escaped (<c>\n</c>, <c>\u001b</c>): values
/// in it come from senders (alert titles, goal and service names, request reasons), and a line break in one must not
/// forge a log line of its own.
/// </summary>
internal sealed class SingleLineLogFormatter() : ConsoleFormatter(Name)
{
    public new const string Name = "tasklens";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id);
        textWriter.Write("] ");
        WriteEscaped(textWriter, message ?? "");
        textWriter.Write(Environment.NewLine);
        if (logEntry.Exception is { } exception)
        {
            textWriter.Write(exception.ToString());
            textWriter.Write(Environment.NewLine);
        }
    }

    /// <summary>Writes text with control characters (line breaks included) as escapes, tab kept.</summary>
    public static void WriteEscaped(TextWriter writer, string text)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(text);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\n':
                    writer.Write("\\n");
                    break;
                case '\r':
                    writer.Write("\\r");
                    break;
                case '\t':
                    writer.Write(c);
                    break;
                case '\u0085' or '\u2028' or '\u2029':
                case < ' ' or '\u007f':
                    writer.Write("\\u");
                    writer.Write(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    writer.Write(c);
                    break;
            }
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
