using System.Buffers.Binary;
using System.Text;
using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>The span level of <see cref="OtlpTraceDecoder"/>'s walk: spans, their status, events, links, attributes and ids.</summary>
public static partial class OtlpTraceDecoder
{
    private static bool TryWalkSpan<TSink>(ReadOnlySpan<byte> message, ref TSink sink, ref DecodeState state, out string? error)
        where TSink : struct, ITraceSink
    {
        sink.BeginSpan();
        var span = default(TraceSpanFields);

        // Why the span is rejected, per id field. A field that repeats is overwritten by its last occurrence, as
        // protobuf parsers do for singular fields, so the last occurrence also decides validity.
        string? traceIdProblem = "trace_id is missing", spanIdProblem = "span_id is missing", parentProblem = null, linkProblem = null;

        // Pass 1: scalars and the span's own attributes (contiguous in the sink). Events and links only noted: their
        // attributes follow the span's, so they are read in a second pass, which most spans (without either) skip.
        var attributesStart = sink.AttributeCount(AttributeOwner.Item);
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
                        traceIdProblem = ReadTraceId(payload, out span.TraceIdHigh, out span.TraceIdLow, "trace_id");
                    }
                    else if (field == 2)
                    {
                        spanIdProblem = ReadSpanId(payload, allowEmpty: false, "span_id", out span.SpanId);
                    }
                    else
                    {
                        parentProblem = ReadSpanId(payload, allowEmpty: true, "parent_span_id", out span.ParentSpanId);
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
                        span.TraceState = payload;
                    }
                    else
                    {
                        span.Name = payload;
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
                    if (!OtlpCommon.TryReadKeyValue(ref reader, wireType, string.Empty, ref sink, AttributeOwner.Item, out error))
                    {
                        error = "attributes: " + error;
                        return false;
                    }

                    break;
                case 15:
                    if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out payload) || !TryReadStatus(payload, ref span))
                    {
                        error = "status truncated or of the wrong wire type";
                        return false;
                    }

                    break;
                case 16:
                    if (wireType != WireType.Fixed32 || !reader.TryReadFixed32(out span.Flags))
                    {
                        error = "flags truncated or of the wrong wire type";
                        return false;
                    }

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

        span.Attributes = new AttributeRange(attributesStart, sink.AttributeCount(AttributeOwner.Item) - attributesStart);

        // Pass 2: events and links, in wire order; each adds its own attributes, contiguous per event or link.
        reader = new ProtoReader(hasEventsOrLinks ? message : default);
        while (!reader.End)
        {
            reader.TryReadTag(out var field, out var wireType);
            if (field == 11)
            {
                reader.TryReadLengthDelimited(out var e);
                if (!TryWalkEvent(e, ref sink, out error))
                {
                    error = "events." + error;
                    return false;
                }
            }
            else if (field == 13)
            {
                reader.TryReadLengthDelimited(out var link);
                if (!TryWalkLink(link, ref sink, ref linkProblem, out error))
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
            sink.RejectSpan();
            state.Rejected++;
            state.FirstRejection ??= $"span {state.Accepted + state.Rejected - 1}: {rejection}";
            return true;
        }

        sink.AddSpan(span);
        state.Accepted++;
        return true;
    }

    private static bool TryReadStatus(ReadOnlySpan<byte> message, ref TraceSpanFields span)
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
                span.StatusMessage = text;
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

    private static bool TryWalkEvent<TSink>(ReadOnlySpan<byte> message, ref TSink sink, out string? error)
        where TSink : struct, ITraceSink
    {
        var attributesStart = sink.AttributeCount(AttributeOwner.Item);
        ulong time = 0;
        uint dropped = 0;
        ReadOnlySpan<byte> name = default;
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
                2 => OtlpCommon.TryReadBytes(ref reader, wireType, ref name),
                3 => OtlpCommon.TryReadKeyValue(ref reader, wireType, string.Empty, ref sink, AttributeOwner.Item, out attributeError),
                4 => OtlpCommon.TryReadUInt32(ref reader, wireType, out dropped),
                _ => reader.TrySkip(wireType),
            };
            if (!ok)
            {
                error = field == 3 ? "attributes: " + attributeError : $"field {field} truncated or of the wrong wire type";
                return false;
            }
        }

        sink.AddEvent(time, name, new AttributeRange(attributesStart, sink.AttributeCount(AttributeOwner.Item) - attributesStart), dropped);
        error = null;
        return true;
    }

    /// <summary>Adds the link; an invalid link id sets <paramref name="problem"/> (the span is then rejected).</summary>
    private static bool TryWalkLink<TSink>(ReadOnlySpan<byte> message, ref TSink sink, ref string? problem, out string? error)
        where TSink : struct, ITraceSink
    {
        var link = new TraceLinkFields();
        var attributesStart = sink.AttributeCount(AttributeOwner.Item);
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
                3 => OtlpCommon.TryReadBytes(ref reader, wireType, ref link.TraceState),
                4 => OtlpCommon.TryReadKeyValue(ref reader, wireType, string.Empty, ref sink, AttributeOwner.Item, out attributeError),
                5 => OtlpCommon.TryReadUInt32(ref reader, wireType, out link.DroppedAttributesCount),
                6 => wireType == WireType.Fixed32 && reader.TryReadFixed32(out link.Flags),
                _ => reader.TrySkip(wireType),
            };
            if (!ok)
            {
                error = field == 4 ? "attributes: " + attributeError : $"field {field} truncated or of the wrong wire type";
                return false;
            }

            if (field == 1)
            {
                traceIdProblem = ReadTraceId(payload, out link.TraceIdHigh, out link.TraceIdLow, "link trace_id");
            }
            else if (field == 2)
            {
                spanIdProblem = ReadSpanId(payload, allowEmpty: false, "link span_id", out link.SpanId);
            }
        }

        problem ??= traceIdProblem ?? spanIdProblem;
        link.Attributes = new AttributeRange(attributesStart, sink.AttributeCount(AttributeOwner.Item) - attributesStart);
        sink.AddLink(link);
        error = null;
        return true;
    }

    /// <summary>
    /// proto3 string fields must hold valid UTF-8 (https://protobuf.dev/programming-guides/proto3/#scalar), and
    /// strict parsers refuse the whole message otherwise. We replace each invalid sequence with U+FFFD instead
    /// (what <see cref="Encoding.UTF8"/> does): one bad byte in an attribute should not cost the export.
    /// </summary>
    internal static string DecodeString(ReadOnlySpan<byte> utf8) => Utf8Text.Decode(utf8);

    /// <summary>Null when the id is valid, else why not.</summary>
    private static string? ReadTraceId(ReadOnlySpan<byte> bytes, out ulong high, out ulong low, string what)
    {
        high = low = 0;
        if (bytes.Length != 16)
        {
            return $"{what} must be 16 bytes, got {bytes.Length}";
        }

        high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        low = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        return high == 0 && low == 0 ? $"{what} is all zero" : null;
    }

    private static string? ReadSpanId(ReadOnlySpan<byte> bytes, bool allowEmpty, string what, out ulong id)
    {
        id = 0;
        if (bytes.Length == 0 && allowEmpty)
        {
            return null;
        }

        if (bytes.Length != 8)
        {
            return $"{what} must be 8 bytes, got {bytes.Length}";
        }

        id = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        return id == 0 && !allowEmpty ? $"{what} is all zero" : null;
    }

    private struct DecodeState
    {
        public int Accepted;
        public int Rejected;
        public string? FirstRejection;
    }
}
