using System.Text;
using TaskLens.Core.Telemetry;

namespace TaskLens.UnitTests.Ingest.Spool;

/// <summary>A drained run as the spool tests' sinks see it: the names of its spans, handed to <paramref name="store"/> on each store attempt.</summary>
internal sealed class SpanNameRun(Func<IReadOnlyList<string>, Task> store) : ISpanRowRun
{
    private readonly List<string> _names = [];

    public int SpanCount => _names.Count;

    public void Resource(Utf8SpanParts parts, in Utf8Resource resource)
    {
    }

    public void Scope(Utf8SpanParts parts, in Utf8Scope scope)
    {
    }

    public void Span(Utf8SpanParts parts, in Utf8Span span) => _names.Add(Encoding.UTF8.GetString(parts.Text(span.Name)));

    public Task StoreAsync(CancellationToken cancellationToken) => store(_names);

    public void Dispose()
    {
    }
}
