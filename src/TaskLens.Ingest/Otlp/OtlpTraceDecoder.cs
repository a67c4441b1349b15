using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// Decodes <c>ExportTraceServiceRequest</c> protobuf straight into a <see cref="SpanBatch"/>: no message objects,
/// only the strings the batch keeps. Field numbers are those of opentelemetry-proto v1
/// (collector/trace/v1/trace_service.proto, trace/v1/trace.proto, resource/v1, common/v1).
/// Fields may come in any order and messages may repeat, so messages whose parts land in different arrays of
/// the batch (a Resource after its spans, span attributes around events) are read in passes, one per part.
/// </summary>
public static partial class OtlpTraceDecoder
{
    private const string UnknownService = "unknown_service";

    /// <summary>
    /// Adds the spans of <paramref name="request"/> to <paramref name="batch"/>. Spans with invalid ids are
    /// rejected (OTLP partial success) and leave nothing behind; a request that is not valid protobuf of the
    /// expected shape adds nothing at all and is reported as malformed. Never throws on any input.
    /// </summary>
    public static OtlpDecodeResult Decode(ReadOnlySpan<byte> request, SpanBatch batch) => Decode(request, batch, countOnly: false);

    /// <summary>
    /// Decodes only to validate and count, as ingest does before spooling (the drainer decodes again for real):
    /// the same checks and results as <see cref="Decode(ReadOnlySpan{byte}, SpanBatch)"/>, and the same resource, scope
    /// and span records, but text is left empty and spans keep no attributes, events or links — no string is allocated
    /// and nothing is copied that ingest does not read (resources still name their service).
    /// </summary>
    public static OtlpDecodeResult Validate(ReadOnlySpan<byte> request, SpanBatch batch) => Decode(request, batch, countOnly: true);

    private static OtlpDecodeResult Decode(ReadOnlySpan<byte> request, SpanBatch batch, bool countOnly)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var start = batch.Mark();
        var state = new DecodeState { CountOnly = countOnly };
        var reader = new ProtoReader(request);
        var resourceIndex = 0;
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return Fail(batch, start, "ExportTraceServiceRequest: bad field tag");
            }

            if (field == 1)
            {
                if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var resourceSpans))
                {
                    return Fail(batch, start, "resource_spans: truncated or of the wrong wire type");
                }

                if (!TryDecodeResourceSpans(resourceSpans, batch, ref state, out var error))
                {
                    return Fail(batch, start, $"resource_spans[{resourceIndex}].{error}");
                }

                resourceIndex++;
            }
            else if (!reader.TrySkip(wireType))
            {
                return Fail(batch, start, $"ExportTraceServiceRequest: field {field} truncated");
            }
        }

        return new OtlpDecodeResult(state.Accepted, state.Rejected, state.FirstRejection, null);
    }

    private static OtlpDecodeResult Fail(SpanBatch batch, SpanBatchMark start, string reason)
    {
        batch.Truncate(start);
        return OtlpDecodeResult.Malformed(reason);
    }

    private static bool TryDecodeResourceSpans(ReadOnlySpan<byte> message, SpanBatch batch, ref DecodeState state, out string? error)
    {
        // Pass 1: the Resource and schema URL, wherever they are, so spans can point at them.
        var attributesStart = batch.AttributeCount;
        uint dropped = 0;
        var schemaUrl = string.Empty;
        var serviceName = UnknownService;
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
                    schemaUrl = DecodeString(payload, state.CountOnly);
                }
                else if (!TryDecodeResource(payload, batch, ref dropped, ref serviceName, out error))
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

        var resourceIndex = batch.AddResource(new ResourceRecord(
            new AttributeRange(attributesStart, batch.AttributeCount - attributesStart), dropped, schemaUrl, serviceName));

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

                if (!TryDecodeScopeSpans(scopeSpans, resourceIndex, batch, ref state, out error))
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

    /// <summary>Resources are few and name the service, which even a validate-only decode reports: always decoded in full.</summary>
    private static bool TryDecodeResource(ReadOnlySpan<byte> message, SpanBatch batch, ref uint dropped, ref string serviceName, out string? error) =>
        OtlpCommon.TryReadResource(message, new BatchAttributes(batch), ref dropped, ref serviceName, out error);

    private static bool TryDecodeScopeSpans(ReadOnlySpan<byte> message, int resourceIndex, SpanBatch batch, ref DecodeState state, out string? error)
    {
        // Pass 1: scope and schema URL.
        var attributesStart = batch.AttributeCount;
        string name = string.Empty, version = string.Empty, schemaUrl = string.Empty;
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
                    schemaUrl = DecodeString(payload, state.CountOnly);
                }
                else if (field == 1 && !TryDecodeScope(payload, batch, ref name, ref version, ref dropped, out error, state.CountOnly))
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

        var scopeIndex = batch.AddScope(new ScopeRecord(
            name, version, new AttributeRange(attributesStart, batch.AttributeCount - attributesStart), dropped, schemaUrl));

        // Pass 2: spans.
        reader = new ProtoReader(message);
        var spanIndex = 0;
        while (!reader.End)
        {
            reader.TryReadTag(out var field, out var wireType);
            if (field == 2)
            {
                reader.TryReadLengthDelimited(out var span);
                if (!TryDecodeSpan(span, resourceIndex, scopeIndex, batch, ref state, out error))
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

    private static bool TryDecodeScope(ReadOnlySpan<byte> message, SpanBatch batch, ref string name, ref string version, ref uint dropped, out string? error, bool countOnly) =>
        OtlpCommon.TryReadScope(message, new BatchAttributes(batch), ref name, ref version, ref dropped, out error, countOnly);
}
