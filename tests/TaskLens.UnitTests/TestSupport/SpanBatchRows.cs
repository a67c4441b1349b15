using TaskLens.Core.Telemetry;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Spans;

namespace TaskLens.UnitTests.TestSupport;

/// <summary>
/// A <see cref="SpanBatch"/> as RowBinary rows of the <c>spans</c> table: the batch-of-strings reference that the
/// row-identity tests compare the drain path (<c>OtlpTraceDecoder.DecodeRows</c> into <see cref="SpanRowWriter"/>)
/// against (<c>SpanRowWriterTests</c>), and the rows of tests and bench pieces that build batches by hand (trace layout,
/// service links, the fair ceiling's rows, the stage and pipeline benchmarks). No server path encodes a batch: it was
/// production code kept only for them, so it lives here, linked into the integration tests and the benchmarks.
/// </summary>
internal static class SpanBatchRows
{
    /// <summary>A resource's and its scopes' text, and one span's, per thread (<see cref="Encode"/> hands them over during its calls only).</summary>
    [ThreadStatic]
    private static Utf8SpanParts? t_shared;

    [ThreadStatic]
    private static Utf8SpanParts? t_span;

    /// <summary>
    /// The rows of <paramref name="batch"/>, written by <see cref="SpanRowWriter"/> — the drainer's writer, so both paths
    /// share one column layout — from the batch's strings as UTF-8: each span's text goes through <see cref="Utf8SpanParts"/>
    /// (encoded there, then copied into the row), the resource and scope text once per scope.
    /// </summary>
    public static void Encode(SpanBatch batch, RowBinaryWriter writer, uint ingestedAtUnixSeconds)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(writer);
        var shared = t_shared ??= new Utf8SpanParts();
        var parts = t_span ??= new Utf8SpanParts();
        using var rows = new SpanRowWriter(writer, batch.Tenant, ingestedAtUnixSeconds);
        int resourceIndex = -1, scopeIndex = -1;
        foreach (ref readonly var span in batch.Spans)
        {
            if (span.ResourceIndex != resourceIndex)
            {
                resourceIndex = span.ResourceIndex;
                scopeIndex = -1;
                ref readonly var resource = ref batch.Resources[resourceIndex];
                shared.Clear();
                var attributes = AddAttributes(shared, batch.AttributesOf(resource.Attributes));
                rows.Resource(shared, new Utf8Resource(shared.AddText(resource.ServiceName), attributes, resource.DroppedAttributesCount, shared.AddText(resource.SchemaUrl)));
            }

            if (span.ScopeIndex != scopeIndex)
            {
                scopeIndex = span.ScopeIndex;
                ref readonly var scope = ref batch.Scopes[scopeIndex];
                var attributes = AddAttributes(shared, batch.AttributesOf(scope.Attributes));
                rows.Scope(shared, new Utf8Scope(shared.AddText(scope.Name), shared.AddText(scope.Version), attributes, scope.DroppedAttributesCount, shared.AddText(scope.SchemaUrl)));
            }

            parts.Clear();
            var spanAttributes = AddAttributes(parts, batch.AttributesOf(span.Attributes));
            foreach (ref readonly var e in batch.EventsOf(span))
            {
                parts.AddEvent(new Utf8Event(e.TimeUnixNano, parts.AddText(e.Name), AddAttributes(parts, batch.AttributesOf(e.Attributes)), e.DroppedAttributesCount));
            }

            foreach (ref readonly var link in batch.LinksOf(span))
            {
                parts.AddLink(new Utf8Link(
                    link.TraceIdHigh, link.TraceIdLow, link.SpanId, parts.AddText(link.TraceState), link.Flags, AddAttributes(parts, batch.AttributesOf(link.Attributes)), link.DroppedAttributesCount));
            }

            rows.Span(parts, new Utf8Span
            {
                TraceIdHigh = span.TraceIdHigh,
                TraceIdLow = span.TraceIdLow,
                SpanId = span.SpanId,
                ParentSpanId = span.ParentSpanId,
                TraceState = parts.AddText(span.TraceState),
                Flags = span.Flags,
                Name = parts.AddText(span.Name),
                Kind = span.Kind,
                StartTimeUnixNano = span.StartTimeUnixNano,
                EndTimeUnixNano = span.EndTimeUnixNano,
                Attributes = spanAttributes,
                DroppedAttributesCount = span.DroppedAttributesCount,
                DroppedEventsCount = span.DroppedEventsCount,
                DroppedLinksCount = span.DroppedLinksCount,
                StatusCode = span.StatusCode,
                StatusMessage = parts.AddText(span.StatusMessage),
            });
        }
    }

    private static AttributeRange AddAttributes(Utf8SpanParts parts, ReadOnlySpan<AttributeRecord> attributes)
    {
        var start = parts.AttributeCount;
        foreach (ref readonly var attribute in attributes)
        {
            parts.AddAttribute(new Utf8KeyValue(parts.AddText(attribute.Key), attribute.Type, parts.AddText(attribute.Value)));
        }

        return new AttributeRange(start, parts.AttributeCount - start);
    }
}
