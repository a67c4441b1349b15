using TaskLens.Core.Telemetry;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Spans;

namespace TaskLens.Benchmarks.Stages;

/// <summary>
/// Storage's row encoding of a drained run (<see cref="SpanRowWriter"/>) into one reused buffer, stored nowhere: the
/// drainer's CPU without ClickHouse, for the stage benchmarks. One run at a time.
/// </summary>
internal sealed class EncodedRowsSink : ISpanRowSink
{
    private readonly RowBinaryWriter _rows = new(1 << 24);

    public int Length => _rows.Length;

    public ISpanRowRun Begin(string tenant)
    {
        _rows.Reset();
        return new Run(new SpanRowWriter(_rows, tenant, 1_795_000_000));
    }

    private sealed class Run(SpanRowWriter writer) : ISpanRowRun
    {
        public int SpanCount => writer.SpanCount;

        public void Resource(Utf8SpanParts parts, in Utf8Resource resource) => writer.Resource(parts, resource);

        public void Scope(Utf8SpanParts parts, in Utf8Scope scope) => writer.Scope(parts, scope);

        public void Span(Utf8SpanParts parts, in Utf8Span span) => writer.Span(parts, span);

        public Task StoreAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose() => writer.Dispose();
    }
}
