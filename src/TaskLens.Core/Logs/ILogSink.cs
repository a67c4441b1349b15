using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Logs;

/// <summary>
/// Where decoded log records go; same contract as <see cref="ISpanSink"/>: completes once they are stored, throws
/// <see cref="SpanSinkUnavailableException"/> when the store cannot take them now.
/// </summary>
public interface ILogSink
{
    Task WriteAsync(LogBatch batch, CancellationToken cancellationToken);
}
