using TaskLens.Core.Telemetry;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Spans;

namespace TaskLens.Benchmarks.Stages;

/// <summary>
/// Storage's row encoding of a drained run (<see cref="SpanRowWriter"/>) into pooled segments, as the server encodes
/// inserts (<see cref="SpanInserter"/>), stored nowhere: the drainer's CPU without ClickHouse, for the stage benchmarks.
/// </summary>
internal sealed class EncodedRowsSink : ISpanRowSink
{
    private readonly RowBinaryBufferPool _segments = new(retainBytes: 64L << 20);

    /// <summary>The bytes of the last run stored.</summary>
    public int Length { get; private set; }

    public ISpanRowRun Begin(string tenant)
    {
        var rows = new RowBinaryWriter(_segments);
        return new Run(this, rows, new SpanRowWriter(rows, tenant, 1_795_000_000));
    }

    private sealed class Run(EncodedRowsSink sink, RowBinaryWriter rows, SpanRowWriter writer) : ISpanRowRun
    {
        public int SpanCount => writer.SpanCount;

        public void Resource(Utf8SpanParts parts, in Utf8Resource resource) => writer.Resource(parts, resource);

        public void Scope(Utf8SpanParts parts, in Utf8Scope scope) => writer.Scope(parts, scope);

        public void Span(Utf8SpanParts parts, in Utf8Span span) => writer.Span(parts, span);

        public Task StoreAsync(CancellationToken cancellationToken)
        {
            sink.Length = rows.Length;
            return Task.CompletedTask;
        }

        public void Dispose()
        {
            writer.Dispose();
            rows.Dispose();
        }
    }
}
