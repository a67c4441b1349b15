using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// Decodes <c>ExportTraceServiceRequest</c> protobuf: no message objects, one walk of the wire format for every
/// destination (<see cref="ITraceSink"/>) — ingest's check that keeps nothing (<see cref="Validate"/>), the drainer's
/// rows (<see cref="DecodeRows"/>) or the tests' batch of strings (<c>SpanBatchDecoder</c> in
/// tests/TaskLens.UnitTests/TestSupport) — so every path makes the same checks with the same verdicts and messages. Field numbers are those of opentelemetry-proto v1
/// (collector/trace/v1/trace_service.proto, trace/v1/trace.proto, resource/v1, common/v1).
/// Fields may come in any order and messages may repeat, so a message whose parts a sink needs in order (a Resource
/// after its spans, span attributes around events) is read in passes, one per part.
/// </summary>
public static partial class OtlpTraceDecoder
{
    /// <summary>A resource's and its scopes' text, and one span's, per thread: the writer reads them during its calls only.</summary>
    [ThreadStatic]
    private static Utf8SpanParts? t_shared;

    [ThreadStatic]
    private static Utf8SpanParts? t_span;

    /// <summary>
    /// Checks and counts only, as ingest does before spooling (the drainer decodes again for real): the same checks,
    /// verdicts and messages as <see cref="DecodeRows"/>, and the service names a full
    /// decode would give its resources (<paramref name="resources"/>), but nothing is kept — no records, no text.
    /// </summary>
    public static OtlpDecodeResult Validate(ReadOnlySpan<byte> request, out ValidatedResources resources)
    {
        var sink = new ValidateTraceSink();
        var result = Walk(request, ref sink);
        resources = result.IsMalformed ? ValidatedResources.None
            : new ValidatedResources(sink.Resources, sink.FirstServiceName, sink.LongestServiceNameBytes);
        return result;
    }

    /// <summary>
    /// Writes the accepted spans of <paramref name="request"/> to <paramref name="rows"/>, resource and scope first, as
    /// UTF-8 (docs/ingest.md, "Where the CPU goes"); the parts it hands over point into <paramref name="request"/>. Never throws on any input. A malformed
    /// request may already have written some of its spans when it is found out: the caller discards what it wrote (the
    /// drainer decodes the run again without that export, which ingest had validated, so this is damage or a defect).
    /// </summary>
    public static OtlpDecodeResult DecodeRows(ReadOnlyMemory<byte> request, ISpanRowWriter rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var shared = t_shared ??= new Utf8SpanParts();
        var span = t_span ??= new Utf8SpanParts();

        // Text is kept as ranges of the export (copied once, by the writer, into the row), valid during this call only.
        shared.UseSource(request);
        span.UseSource(request);
        try
        {
            var sink = new RowTraceSink(rows, shared, span);
            return Walk(request.Span, ref sink);
        }
        finally
        {
            shared.ReleaseSource();
            span.ReleaseSource();
        }
    }

    /// <summary>The one walk every sink shares; internal for the tests' batch-of-strings sink.</summary>
    internal static OtlpDecodeResult Walk<TSink>(ReadOnlySpan<byte> request, ref TSink sink)
        where TSink : struct, ITraceSink
    {
        var state = new DecodeState();
        var reader = new ProtoReader(request);
        var resourceIndex = 0;
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return OtlpDecodeResult.Malformed("ExportTraceServiceRequest: bad field tag");
            }

            if (field == 1)
            {
                if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var resourceSpans))
                {
                    return OtlpDecodeResult.Malformed("resource_spans: truncated or of the wrong wire type");
                }

                if (!TryWalkResourceSpans(resourceSpans, ref sink, ref state, out var error))
                {
                    return OtlpDecodeResult.Malformed($"resource_spans[{resourceIndex}].{error}");
                }

                resourceIndex++;
            }
            else if (!reader.TrySkip(wireType))
            {
                return OtlpDecodeResult.Malformed($"ExportTraceServiceRequest: field {field} truncated");
            }
        }

        return new OtlpDecodeResult(state.Accepted, state.Rejected, state.FirstRejection, null);
    }

    private static bool TryWalkResourceSpans<TSink>(ReadOnlySpan<byte> message, ref TSink sink, ref DecodeState state, out string? error)
        where TSink : struct, ITraceSink
    {
        // Pass 1: the Resource and schema URL, wherever they are, so spans can point at them.
        sink.BeginResource();
        var attributesStart = sink.AttributeCount(AttributeOwner.Resource);
        uint dropped = 0;
        ReadOnlySpan<byte> schemaUrl = default;
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "bad field tag";
                return false;
            }

            if (field is 1 or 3 && wireType == WireType.LengthDelimited && reader.TryReadLengthDelimited(out var payload))
            {
                if (field == 3)
                {
                    schemaUrl = payload;
                }
                else if (!OtlpCommon.TryReadResource(payload, ref sink, ref dropped, out error))
                {
                    error = "resource." + error;
                    return false;
                }
            }
            else if (field is 1 or 3 || !reader.TrySkip(wireType))
            {
                error = $"field {field} truncated or of the wrong wire type";
                return false;
            }
        }

        sink.EndResource(attributesStart, dropped, schemaUrl);

        // Pass 2: the scope_spans.
        reader = new ProtoReader(message);
        var scopeIndex = 0;
        while (!reader.End)
        {
            reader.TryReadTag(out var field, out var wireType);
            if (field == 2)
            {
                if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var scopeSpans))
                {
                    error = "scope_spans: truncated or of the wrong wire type";
                    return false;
                }

                if (!TryWalkScopeSpans(scopeSpans, ref sink, ref state, out error))
                {
                    error = $"scope_spans[{scopeIndex}].{error}";
                    return false;
                }

                scopeIndex++;
            }
            else
            {
                // Pass 1 already checked every other field.
                reader.TrySkip(wireType);
            }
        }

        error = null;
        return true;
    }

    private static bool TryWalkScopeSpans<TSink>(ReadOnlySpan<byte> message, ref TSink sink, ref DecodeState state, out string? error)
        where TSink : struct, ITraceSink
    {
        // Pass 1: scope and schema URL.
        var attributesStart = sink.AttributeCount(AttributeOwner.Scope);
        ReadOnlySpan<byte> name = default, version = default, schemaUrl = default;
        uint dropped = 0;
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "bad field tag";
                return false;
            }

            if (field is 1 or 2 or 3 && wireType == WireType.LengthDelimited && reader.TryReadLengthDelimited(out var payload))
            {
                if (field == 3)
                {
                    schemaUrl = payload;
                }
                else if (field == 1 && !OtlpCommon.TryReadScope(payload, ref sink, ref name, ref version, ref dropped, out error))
                {
                    error = "scope." + error;
                    return false;
                }
            }
            else if (field is 1 or 2 or 3 || !reader.TrySkip(wireType))
            {
                error = $"field {field} truncated or of the wrong wire type";
                return false;
            }
        }

        sink.EndScope(attributesStart, name, version, dropped, schemaUrl);

        // Pass 2: spans.
        reader = new ProtoReader(message);
        var spanIndex = 0;
        while (!reader.End)
        {
            reader.TryReadTag(out var field, out var wireType);
            if (field == 2)
            {
                reader.TryReadLengthDelimited(out var span);
                if (!TryWalkSpan(span, ref sink, ref state, out error))
                {
                    error = $"spans[{spanIndex}].{error}";
                    return false;
                }

                spanIndex++;
            }
            else
            {
                reader.TrySkip(wireType);
            }
        }

        error = null;
        return true;
    }
}
