using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Logs;

/// <summary>
/// Where decoded log records go: completes once they are stored (so a receiver can acknowledge the export), throws
/// <see cref="SpanSinkUnavailableException"/> when the store cannot take them now.
/// </summary>
public interface ILogSink
{
    Task WriteAsync(LogBatch batch, CancellationToken cancellationToken);
}
