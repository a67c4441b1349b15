using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>The span level of <see cref="DecodeRows"/>: the same fields, checks and passes as <c>TryDecodeSpan</c>, into UTF-8 parts.</summary>
public static partial class OtlpTraceDecoder
{
    private static bool TryWriteSpan(ReadOnlySpan<byte> message, ISpanRowWriter rows, Utf8SpanParts parts, ref DecodeState state, out string? error)
    {
        parts.Clear();
        var span = new Utf8Span();
        string? traceIdProblem = "trace_id is missing", spanIdProblem = "span_id is missing", parentProblem = null, linkProblem = null;

        // Pass 1: scalars and the span's own attributes; events and links only noted (their attributes follow the span's).
        var hasEventsOrLinks = false;
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "bad field tag";
                return false;
            }

            ulong scalar;
            ReadOnlySpan<byte> payload;
            switch (field)
            {
                case 1 or 2 or 4:
                    if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out payload))
                    {
                        error = $"field {field} truncated or of the wrong wire type";
                        return false;
                    }

                    if (field == 1)
                    {
                        traceIdProblem = ReadTraceId(payload, out var high, out var low, "trace_id");
                        span.TraceIdHigh = high;
                        span.TraceIdLow = low;
                    }
                    else if (field == 2)
                    {
                        spanIdProblem = ReadSpanId(payload, allowEmpty: false, "span_id", out var id);
                        span.SpanId = id;
                    }
                    else
                    {
                        parentProblem = ReadSpanId(payload, allowEmpty: true, "parent_span_id", out var parent);
                        span.ParentSpanId = parent;
                    }

                    break;
                case 3 or 5:
                    if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out payload))
                    {
                        error = $"field {field} truncated or of the wrong wire type";
                        return false;
                    }

                    if (field == 3)
                    {
                        span.TraceState = parts.AddText(payload);
                    }
                    else
                    {
                        span.Name = parts.AddText(payload);
                    }

                    break;
                case 6 or 10 or 12 or 14:
                    if (wireType != WireType.Varint || !reader.TryReadVarint(out scalar))
                    {
                        error = $"field {field} truncated or of the wrong wire type";
                        return false;
                    }

                    switch (field)
                    {
                        // SpanKind is 0-5; an unknown future kind is kept as unspecified (the column is Int8).
                        case 6: span.Kind = scalar <= 127 ? (int)scalar : 0; break;
                        case 10: span.DroppedAttributesCount = (uint)scalar; break;
                        case 12: span.DroppedEventsCount = (uint)scalar; break;
                        default: span.DroppedLinksCount = (uint)scalar; break;
                    }

                    break;
                case 7 or 8:
                    if (wireType != WireType.Fixed64 || !reader.TryReadFixed64(out scalar))
                    {
                        error = $"field {field} truncated or of the wrong wire type";
                        return false;
                    }

                    if (field == 7)
                    {
                        span.StartTimeUnixNano = scalar;
                    }
                    else
                    {
                        span.EndTimeUnixNano = scalar;
                    }

                    break;
                case 9:
                    if (!TryReadAttributeText(ref reader, wireType, string.Empty, parts, out _, out error))
                    {
                        error = "attributes: " + error;
                        return false;
                    }

                    break;
                case 15:
                    if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out payload) || !TryReadStatusText(payload, ref span, parts))
                    {
                        error = "status truncated or of the wrong wire type";
                        return false;
                    }

                    break;
                case 16:
                    if (wireType != WireType.Fixed32 || !reader.TryReadFixed32(out var flags))
                    {
                        error = "flags truncated or of the wrong wire type";
                        return false;
                    }

                    span.Flags = flags;
                    break;
                case 11 or 13:
                    if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out _))
                    {
                        error = $"field {field} truncated or of the wrong wire type";
                        return false;
                    }

                    hasEventsOrLinks = true;
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

        span.Attributes = new AttributeRange(0, parts.AttributeCount);

        // Pass 2: events and links, in wire order; each adds its own attributes, contiguous per event or link.
        reader = new ProtoReader(hasEventsOrLinks ? message : default);
        while (!reader.End)
        {
            reader.TryReadTag(out var field, out var wireType);
            if (field == 11)
            {
                reader.TryReadLengthDelimited(out var e);
                if (!TryReadEventText(e, parts, out error))
                {
                    error = "events." + error;
                    return false;
                }
            }
            else if (field == 13)
            {
                reader.TryReadLengthDelimited(out var link);
                if (!TryReadLinkText(link, parts, ref linkProblem, out error))
                {
                    error = "links." + error;
                    return false;
                }
            }
            else
            {
                reader.TrySkip(wireType);
            }
        }

        // Absent ids are as invalid as wrong-sized ones (trace.proto: "This field is required").
        var rejection = traceIdProblem ?? spanIdProblem ?? parentProblem ?? linkProblem;
        error = null;
        if (rejection is not null)
        {
            // Rejected, not malformed: the rest of the export is still accepted (OTLP partial success).
            state.Rejected++;
            state.FirstRejection ??= $"span {state.Accepted + state.Rejected - 1}: {rejection}";
            return true;
        }

        rows.Span(parts, span);
        state.Accepted++;
        return true;
    }

    private static bool TryReadStatusText(ReadOnlySpan<byte> message, ref Utf8Span span, Utf8SpanParts parts)
    {
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return false;
            }

            if (field == 2 && wireType == WireType.LengthDelimited && reader.TryReadLengthDelimited(out var text))
            {
                span.StatusMessage = parts.AddText(text);
            }
            else if (field == 3 && wireType == WireType.Varint && reader.TryReadVarint(out var code))
            {
                span.StatusCode = code <= 2 ? (int)code : 0;
            }
            else if (field is 2 or 3 || !reader.TrySkip(wireType))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryReadEventText(ReadOnlySpan<byte> message, Utf8SpanParts parts, out string? error)
    {
        var attributesStart = parts.AttributeCount;
        ulong time = 0;
        uint dropped = 0;
        Utf8Range name = default;
        string? attributeError = null;
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "bad field tag";
                return false;
            }

            var ok = field switch
            {
                1 => wireType == WireType.Fixed64 && reader.TryReadFixed64(out time),
                2 => TryReadText(ref reader, wireType, parts, ref name),
                3 => TryReadAttributeText(ref reader, wireType, string.Empty, parts, out _, out attributeError),
                4 => OtlpCommon.TryReadUInt32(ref reader, wireType, out dropped),
                _ => reader.TrySkip(wireType),
            };
            if (!ok)
            {
                error = field == 3 ? "attributes: " + attributeError : $"field {field} truncated or of the wrong wire type";
                return false;
            }
        }

        parts.AddEvent(new Utf8Event(time, name, new AttributeRange(attributesStart, parts.AttributeCount - attributesStart), dropped));
        error = null;
        return true;
    }

    /// <summary>Adds the link; an invalid link id sets <paramref name="problem"/> (the span is then rejected).</summary>
    private static bool TryReadLinkText(ReadOnlySpan<byte> message, Utf8SpanParts parts, ref string? problem, out string? error)
    {
        var attributesStart = parts.AttributeCount;
        ulong high = 0, low = 0, spanId = 0;
        uint dropped = 0, flags = 0;
        Utf8Range traceState = default;
        string? traceIdProblem = "link trace_id is missing", spanIdProblem = "link span_id is missing", attributeError = null;
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "bad field tag";
                return false;
            }

            ReadOnlySpan<byte> payload = default;
            var ok = field switch
            {
                1 or 2 => wireType == WireType.LengthDelimited && reader.TryReadLengthDelimited(out payload),
                3 => TryReadText(ref reader, wireType, parts, ref traceState),
                4 => TryReadAttributeText(ref reader, wireType, string.Empty, parts, out _, out attributeError),
                5 => OtlpCommon.TryReadUInt32(ref reader, wireType, out dropped),
                6 => wireType == WireType.Fixed32 && reader.TryReadFixed32(out flags),
                _ => reader.TrySkip(wireType),
            };
            if (!ok)
            {
                error = field == 4 ? "attributes: " + attributeError : $"field {field} truncated or of the wrong wire type";
                return false;
            }

            if (field == 1)
            {
                traceIdProblem = ReadTraceId(payload, out high, out low, "link trace_id");
            }
            else if (field == 2)
            {
                spanIdProblem = ReadSpanId(payload, allowEmpty: false, "link span_id", out spanId);
            }
        }

        problem ??= traceIdProblem ?? spanIdProblem;
        parts.AddLink(new Utf8Link(high, low, spanId, traceState, flags, new AttributeRange(attributesStart, parts.AttributeCount - attributesStart), dropped));
        error = null;
        return true;
    }

    /// <summary><see cref="OtlpCommon.TryReadString"/> into <paramref name="parts"/>.</summary>
    private static bool TryReadText(ref ProtoReader reader, WireType wireType, Utf8SpanParts parts, ref Utf8Range text)
    {
        if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var bytes))
        {
            return false;
        }

        text = parts.AddText(bytes);
        return true;
    }
}
