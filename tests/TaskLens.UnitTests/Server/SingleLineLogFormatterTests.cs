using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TaskLens.Server;

namespace TaskLens.UnitTests.Server;

public sealed class SingleLineLogFormatterTests
{
    [Fact]
    public void Write_ValueWithLineBreaks_StaysOneLine_WithTheBreaksEscaped()
    {
        var title = "Checkout down\r\ninfo: TaskLens.Server[6131] Alert resolved: all fine\u001b[2J";

        var text = Format(LogLevel.Information, $"Alert from events for tenant default opened: {title}", null);

        Assert.Equal(
            "info: TaskLens.Tests[6131] Alert from events for tenant default opened: Checkout down\\r\\ninfo: TaskLens.Server[6131] Alert resolved: all fine\\u001b[2J" + Environment.NewLine,
            text);
    }

    [Fact]
    public void Write_Exception_FollowsOnItsOwnLines()
    {
        var text = Format(LogLevel.Warning, "store failed", new InvalidOperationException("boom"));

        Assert.StartsWith("warn: TaskLens.Tests[6131] store failed" + Environment.NewLine + "System.InvalidOperationException: boom", text, StringComparison.Ordinal);
    }

    private static string Format(LogLevel level, string message, Exception? exception)
    {
        using var writer = new StringWriter();
        var entry = new LogEntry<string>(level, "TaskLens.Tests", new EventId(6131), message, exception, (m, _) => m);
        new SingleLineLogFormatter().Write(entry, null, writer);
        return writer.ToString();
    }
}
