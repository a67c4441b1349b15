using System.Globalization;
using TaskLens.Core.Telemetry;
using TaskLens.Core.Traces;

namespace TaskLens.Core.Goals;

/// <summary>Stored spans back into a <see cref="SpanBatch"/>, so the rollup reloads a run the way it first saw it.</summary>
public static class StoredTrace
{
    public static SpanBatch ToBatch(string tenant, IReadOnlyList<StoredSpan> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var batch = new SpanBatch { Tenant = tenant };
        batch.AddScope(new ScopeRecord("", "", default, 0, ""));
        foreach (var span in spans)
        {
            if (!TraceId.TryParse(span.TraceId, out var traceId))
            {
                continue;
            }

            var start = batch.AttributeCount;
            foreach (var attribute in span.Attributes)
            {
                batch.AddAttribute(new AttributeRecord(attribute.Key, attribute.Type, attribute.Value));
            }

            batch.AddSpan(new SpanRecord
            {
                ResourceIndex = batch.AddResource(new ResourceRecord(default, 0, "", span.ServiceName)),
                TraceIdHigh = traceId.High,
                TraceIdLow = traceId.Low,
                SpanId = Hex(span.SpanId),
                ParentSpanId = Hex(span.ParentSpanId),
                Name = span.Name,
                TraceState = span.TraceState,
                Kind = span.Kind,
                StartTimeUnixNano = span.StartTimeUnixNano,
                EndTimeUnixNano = span.EndTimeUnixNano,
                Attributes = new AttributeRange(start, span.Attributes.Count),
                StatusCode = span.StatusCode,
                StatusMessage = span.StatusMessage,
            });
        }

        return batch;
    }

    private static ulong Hex(string hex) =>
        hex.Length == 0 ? 0 : ulong.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}
