using TaskLens.Core.Telemetry;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Spans;

/// <summary>
/// A run of spans encoded as they are decoded (<see cref="SpanRowWriter"/>) into pooled segments (given back on
/// dispose), then stored by <paramref name="store"/>: in one insert of its own (<see cref="SpanInserter"/>, the
/// drainer's runs) or with the runs of concurrent exports (<see cref="SpanBatchWriter"/>, the spool-off path).
/// <c>ingested_at</c> is the time the run began (the drainer decodes a run again for each retry, so each attempt
/// carries its own time).
/// </summary>
internal sealed class SpanRowRun(
    Func<RowBinaryWriter, int, CancellationToken, Task<Exception?>> store, RowBinaryWriter rows, string tenant, uint ingestedAtUnixSeconds) : ISpanRowRun
{
    private readonly SpanRowWriter _writer = new(rows, tenant, ingestedAtUnixSeconds);
    private bool _disposed;

    public int SpanCount => _writer.SpanCount;

    public void Resource(Utf8SpanParts parts, in Utf8Resource resource) => _writer.Resource(parts, resource);

    public void Scope(Utf8SpanParts parts, in Utf8Scope scope) => _writer.Scope(parts, scope);

    public void Span(Utf8SpanParts parts, in Utf8Span span) => _writer.Span(parts, span);

    public async Task StoreAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (SpanCount > 0 && await store(rows, SpanCount, cancellationToken) is { } failure)
        {
            throw SpanInserter.Answer(failure);
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _writer.Dispose();
            rows.Dispose();
        }
    }
}
