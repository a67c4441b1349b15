namespace TaskLens.Core.Telemetry;

/// <summary>
/// Where decoded spans go. <see cref="WriteAsync"/> completes only once the spans are durable, so a receiver
/// can acknowledge an export when it returns; it throws <see cref="SpanSinkUnavailableException"/> when the
/// store cannot take them now and the exporter should retry.
/// </summary>
public interface ISpanSink
{
    /// <summary>Stores every span in <paramref name="batch"/>; the caller keeps ownership of the batch.</summary>
    Task WriteAsync(SpanBatch batch, CancellationToken cancellationToken);
}
