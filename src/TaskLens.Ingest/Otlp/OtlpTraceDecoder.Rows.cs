using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// The drainer's decode of <see cref="OtlpTraceDecoder"/>: the same walk of the protobuf, the same checks and the same
/// results as <see cref="Decode(ReadOnlySpan{byte}, SpanBatch)"/>, but each accepted span goes to an
/// <see cref="ISpanRowWriter"/> as UTF-8 slices instead of into a batch of strings (docs/ingest.md, "Where the CPU goes").
/// </summary>
public static partial class OtlpTraceDecoder
{
    private static ReadOnlySpan<byte> UnknownServiceUtf8 => "unknown_service"u8;

    /// <summary>A resource's and its scopes' text, and one span's, per thread: the writer reads them during its calls only.</summary>
    [ThreadStatic]
    private static Utf8SpanParts? t_shared;

    [ThreadStatic]
    private static Utf8SpanParts? t_span;

    /// <summary>
    /// Writes the accepted spans of <paramref name="request"/> to <paramref name="rows"/>, resource and scope first.
    /// Never throws on any input. Unlike <see cref="Decode(ReadOnlySpan{byte}, SpanBatch)"/>, a malformed request may
    /// already have written some of its spans when it is found out: the caller discards what it wrote (the drainer
    /// decodes the run again without that export, which ingest had validated, so this is damage or a defect).
    /// </summary>
    public static OtlpDecodeResult DecodeRows(ReadOnlySpan<byte> request, ISpanRowWriter rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var state = new DecodeState();
        var shared = t_shared ??= new Utf8SpanParts();
        var span = t_span ??= new Utf8SpanParts();
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

                if (!TryWriteResourceSpans(resourceSpans, rows, shared, span, ref state, out var error))
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

    private static bool TryWriteResourceSpans(
        ReadOnlySpan<byte> message, ISpanRowWriter rows, Utf8SpanParts shared, Utf8SpanParts span, ref DecodeState state, out string? error)
    {
        // Pass 1: the Resource and schema URL, wherever they are, so spans can point at them.
        shared.Clear();
        uint dropped = 0;
        Utf8Range schemaUrl = default, serviceName = default;
        var hasServiceName = false;
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
                    schemaUrl = shared.AddText(payload);
                }
                else if (!TryReadResourceText(payload, shared, ref dropped, ref serviceName, ref hasServiceName, out error))
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

        if (!hasServiceName)
        {
            serviceName = shared.AddText(UnknownServiceUtf8);
        }

        rows.Resource(shared, new Utf8Resource(serviceName, new AttributeRange(0, shared.AttributeCount), dropped, schemaUrl));

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

                if (!TryWriteScopeSpans(scopeSpans, rows, shared, span, ref state, out error))
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

    /// <summary><see cref="OtlpCommon.TryReadResource{TSink}"/> as UTF-8: attributes = 1, dropped_attributes_count = 2.</summary>
    private static bool TryReadResourceText(
        ReadOnlySpan<byte> message, Utf8SpanParts parts, ref uint dropped, ref Utf8Range serviceName, ref bool hasServiceName, out string? error)
    {
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "bad field tag";
                return false;
            }

            switch (field)
            {
                case 1:
                    if (!TryReadAttributeText(ref reader, wireType, "attribute: ", parts, out var added, out error))
                    {
                        return false;
                    }

                    if (added.Type == AttributeValueType.String && parts.Text(added.Key).SequenceEqual("service.name"u8))
                    {
                        serviceName = added.Value;
                        hasServiceName = true;
                    }

                    break;
                case 2:
                    if (!OtlpCommon.TryReadUInt32(ref reader, wireType, out dropped))
                    {
                        error = "dropped_attributes_count truncated or of the wrong wire type";
                        return false;
                    }

                    break;
                default:
                    if (!reader.TrySkip(wireType))
                    {
                        error = $"field {field} truncated";
                        return false;
                    }

                    break;
            }
        }

        error = null;
        return true;
    }

    private static bool TryWriteScopeSpans(
        ReadOnlySpan<byte> message, ISpanRowWriter rows, Utf8SpanParts shared, Utf8SpanParts span, ref DecodeState state, out string? error)
    {
        // Pass 1: scope and schema URL.
        var attributesStart = shared.AttributeCount;
        Utf8Range name = default, version = default, schemaUrl = default;
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
                    schemaUrl = shared.AddText(payload);
                }
                else if (field == 1 && !TryReadScopeText(payload, shared, ref name, ref version, ref dropped, out error))
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

        rows.Scope(shared, new Utf8Scope(name, version, new AttributeRange(attributesStart, shared.AttributeCount - attributesStart), dropped, schemaUrl));

        // Pass 2: spans.
        reader = new ProtoReader(message);
        var spanIndex = 0;
        while (!reader.End)
        {
            reader.TryReadTag(out var field, out var wireType);
            if (field == 2)
            {
                reader.TryReadLengthDelimited(out var spanMessage);
                if (!TryWriteSpan(spanMessage, rows, span, ref state, out error))
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

    /// <summary><see cref="OtlpCommon.TryReadScope{TSink}"/> as UTF-8: name = 1, version = 2, attributes = 3, dropped_attributes_count = 4.</summary>
    private static bool TryReadScopeText(
        ReadOnlySpan<byte> message, Utf8SpanParts parts, ref Utf8Range name, ref Utf8Range version, ref uint dropped, out string? error)
    {
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "bad field tag";
                return false;
            }

            switch (field)
            {
                case 1 or 2:
                    if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var text))
                    {
                        error = $"field {field} truncated or of the wrong wire type";
                        return false;
                    }

                    if (field == 1)
                    {
                        name = parts.AddText(text);
                    }
                    else
                    {
                        version = parts.AddText(text);
                    }

                    break;
                case 3:
                    if (!TryReadAttributeText(ref reader, wireType, "attribute: ", parts, out _, out error))
                    {
                        return false;
                    }

                    break;
                case 4:
                    if (!OtlpCommon.TryReadUInt32(ref reader, wireType, out dropped))
                    {
                        error = "dropped_attributes_count truncated or of the wrong wire type";
                        return false;
                    }

                    break;
                default:
                    if (!reader.TrySkip(wireType))
                    {
                        error = $"field {field} truncated";
                        return false;
                    }

                    break;
            }
        }

        error = null;
        return true;
    }

    /// <summary>
    /// <see cref="OtlpCommon.TryReadKeyValue"/> as UTF-8: one KeyValue added to <paramref name="parts"/>' attributes. A
    /// value that cannot be decoded fails with <paramref name="decodeErrorPrefix"/> before why.
    /// </summary>
    private static bool TryReadAttributeText(
        ref ProtoReader reader, WireType wireType, string decodeErrorPrefix, Utf8SpanParts parts, out Utf8KeyValue attribute, out string? error)
    {
        attribute = default;
        if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var keyValue))
        {
            error = "attribute truncated or of the wrong wire type";
            return false;
        }

        if (!AnyValueText.TrySplitKeyValue(keyValue, out var key, out var value, out error)
            || !AnyValueText.TryRender(value, parts, out var type, out var text, out error))
        {
            error = decodeErrorPrefix + error;
            return false;
        }

        attribute = new Utf8KeyValue(parts.AddText(key), type, text);
        parts.AddAttribute(attribute);
        error = null;
        return true;
    }
}
