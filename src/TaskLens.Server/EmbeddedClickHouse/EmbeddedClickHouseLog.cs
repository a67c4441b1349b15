namespace TaskLens.Server.EmbeddedClickHouse;

/// <summary>Embedded ClickHouse log messages, event ids 6100-6149.</summary>
internal static partial class EmbeddedClickHouseLog
{
    [LoggerMessage(6100, LogLevel.Information, "No TaskLens:ClickHouse:Url configured: starting an embedded clickhouse-server in {DataPath} on 127.0.0.1:{HttpPort}")]
    public static partial void Starting(ILogger logger, string dataPath, int httpPort);

    [LoggerMessage(6101, LogLevel.Information, "Embedded ClickHouse ready at {Url}")]
    public static partial void Ready(ILogger logger, string url);

    [LoggerMessage(6102, LogLevel.Error, "Embedded ClickHouse exited unexpectedly; restarting in {DelaySeconds:0.#} s. Error log tail: {ErrorLogTail}")]
    public static partial void Died(ILogger logger, double delaySeconds, string errorLogTail);

    [LoggerMessage(6103, LogLevel.Warning, "Embedded ClickHouse restarted at {Url}")]
    public static partial void Restarted(ILogger logger, string url);

    [LoggerMessage(6104, LogLevel.Error, "Restarting the embedded ClickHouse failed; trying again")]
    public static partial void RestartFailed(ILogger logger, Exception exception);

    [LoggerMessage(6105, LogLevel.Information, "Embedded ClickHouse stopped")]
    public static partial void Stopped(ILogger logger);
}
