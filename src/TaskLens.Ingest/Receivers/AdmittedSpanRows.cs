using System.Text;
using System.Text.Unicode;
using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// The spool-off path's rows of one trace export, passed on to storage's run as they are decoded, with the UTF-8 length
/// of the longest service name among its resources measured as a full decode names it (invalid UTF-8 as U+FFFD):
/// admission bounds it before anything is stored, as it does for a validated export (<see cref="SignalBatch"/>).
/// </summary>
internal sealed class AdmittedSpanRows(ISpanRowWriter rows) : ISpanRowWriter
{
    public int LongestServiceNameBytes { get; private set; }

    public void Resource(Utf8SpanParts parts, in Utf8Resource resource)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var name = parts.Text(resource.ServiceName);
        var bytes = Utf8.IsValid(name) ? name.Length : Encoding.UTF8.GetByteCount(Encoding.UTF8.GetString(name));
        LongestServiceNameBytes = Math.Max(LongestServiceNameBytes, bytes);
        rows.Resource(parts, resource);
    }

    public void Scope(Utf8SpanParts parts, in Utf8Scope scope) => rows.Scope(parts, scope);

    public void Span(Utf8SpanParts parts, in Utf8Span span) => rows.Span(parts, span);
}
