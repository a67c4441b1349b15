using System.Buffers.Binary;
using System.Text;
using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>The span level of <see cref="OtlpTraceDecoder"/>: spans, their status, events, links, attributes and ids.</summary>
public static partial class OtlpTraceDecoder
{
    private static bool TryDecodeSpan(ReadOnlySpan<byte> message, int resourceIndex, int scopeIndex, SpanBatch batch, ref DecodeState state, out string? error)
    {
        var mark = batch.Mark();
        var span = new SpanRecord
        {
            ResourceIndex = resourceIndex,
            ScopeIndex = scopeIndex,
            TraceState = string.Empty,
            Name = string.Empty,
            StatusMessage = string.Empty,
        };

        // Why the span is rejected, per id field. A field that repeats is overwritten by its last occurrence, as
        // protobuf parsers do for singular fields, so the last occurrence also decides validity.
        string? traceIdProblem = "trace_id is missing", spanIdProblem = "span_id is missing", parentProblem = null, linkProblem = null;

        // Pass 1: scalars and the span's own attributes (contiguous in the batch). Events and links only noted: their
        // attributes go to the same array, so they are read in a second pass, which most spans (without either) skip.
        var attributesStart = batch.AttributeCount;
        var hasEventsOrLinks = false;
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return Malformed(batch, mark, "bad field tag", out error);
            }

            ulong scalar;
            ReadOnlySpan<byte> payload;
            switch (field)
            {
                case 1 or 2 or 4:
                    if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out payload))
                    {
                        return Malformed(batch, mark, $"field {field} truncated or of the wrong wire type", out error);
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
                        return Malformed(batch, mark, $"field {field} truncated or of the wrong wire type", out error);
                    }

                    if (field == 3)
                    {
                        span.TraceState = DecodeString(payload, state.CountOnly);
                    }
                    else
                    {
                        span.Name = DecodeString(payload, state.CountOnly);
                    }

                    break;
                case 6 or 10 or 12 or 14:
                    if (wireType != WireType.Varint || !reader.TryReadVarint(out scalar))
                    {
                        return Malformed(batch, mark, $"field {field} truncated or of the wrong wire type", out error);
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
                        return Malformed(batch, mark, $"field {field} truncated or of the wrong wire type", out error);
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
                    if (!TryReadAttribute(ref reader, wireType, batch, state.CountOnly, out error))
                    {
                        return Malformed(batch, mark, "attributes: " + error, out error);
                    }

                    break;
                case 15:
                    if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out payload) || !TryDecodeStatus(payload, ref span, state.CountOnly))
                    {
                        return Malformed(batch, mark, "status truncated or of the wrong wire type", out error);
                    }

                    break;
                case 16:
                    if (wireType != WireType.Fixed32 || !reader.TryReadFixed32(out var flags))
                    {
                        return Malformed(batch, mark, "flags truncated or of the wrong wire type", out error);
                    }

                    span.Flags = flags;
                    break;
                case 11 or 13:
                    if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out _))
                    {
                        return Malformed(batch, mark, $"field {field} truncated or of the wrong wire type", out error);
                    }

                    hasEventsOrLinks = true;
                    break;
                default:
                    if (!reader.TrySkip(wireType))
                    {
                        return Malformed(batch, mark, $"field {field} truncated", out error);
                    }

                    break;
            }
        }

        span.Attributes = new AttributeRange(attributesStart, batch.AttributeCount - attributesStart);

        // Pass 2: events and links, in wire order; each adds its own attributes, contiguous per event or link.
        span.EventStart = batch.EventCount;
        span.LinkStart = batch.LinkCount;
        reader = new ProtoReader(hasEventsOrLinks ? message : default);
        while (!reader.End)
        {
            reader.TryReadTag(out var field, out var wireType);
            if (field == 11)
            {
                reader.TryReadLengthDelimited(out var e);
                if (!TryDecodeEvent(e, batch, state.CountOnly, out error))
                {
                    return Malformed(batch, mark, "events." + error, out error);
                }
            }
            else if (field == 13)
            {
                reader.TryReadLengthDelimited(out var link);
                if (!TryDecodeLink(link, batch, state.CountOnly, ref linkProblem, out error))
                {
                    return Malformed(batch, mark, "links." + error, out error);
                }
            }
            else
            {
                reader.TrySkip(wireType);
            }
        }

        span.EventCount = batch.EventCount - span.EventStart;
        span.LinkCount = batch.LinkCount - span.LinkStart;

        // Absent ids are as invalid as wrong-sized ones (trace.proto: "This field is required").
        var rejection = traceIdProblem ?? spanIdProblem ?? parentProblem ?? linkProblem;
        error = null;
        if (rejection is not null)
        {
            // Rejected, not malformed: the rest of the export is still accepted (OTLP partial success).
            batch.Truncate(mark);
            state.Rejected++;
            state.FirstRejection ??= $"span {state.Accepted + state.Rejected - 1}: {rejection}";
            return true;
        }

        batch.AddSpan(span);
        state.Accepted++;
        return true;
    }

    private static bool TryDecodeStatus(ReadOnlySpan<byte> message, ref SpanRecord span, bool countOnly)
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
                span.StatusMessage = DecodeString(text, countOnly);
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

    private static bool TryDecodeEvent(ReadOnlySpan<byte> message, SpanBatch batch, bool countOnly, out string? error)
    {
        var attributesStart = batch.AttributeCount;
        ulong time = 0;
        uint dropped = 0;
        var name = string.Empty;
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
                2 => OtlpCommon.TryReadString(ref reader, wireType, out name, countOnly),
                3 => TryReadAttribute(ref reader, wireType, batch, countOnly, out attributeError),
                4 => OtlpCommon.TryReadUInt32(ref reader, wireType, out dropped),
                _ => reader.TrySkip(wireType),
            };
            if (!ok)
            {
                error = field == 3 ? "attributes: " + attributeError : $"field {field} truncated or of the wrong wire type";
                return false;
            }
        }

        if (!countOnly)
        {
            batch.AddEvent(new EventRecord(time, name, new AttributeRange(attributesStart, batch.AttributeCount - attributesStart), dropped));
        }

        error = null;
        return true;
    }

    /// <summary>Adds the link; an invalid link id sets <paramref name="problem"/> (the span is then rejected).</summary>
    private static bool TryDecodeLink(ReadOnlySpan<byte> message, SpanBatch batch, bool countOnly, ref string? problem, out string? error)
    {
        var attributesStart = batch.AttributeCount;
        ulong high = 0, low = 0, spanId = 0;
        uint dropped = 0, flags = 0;
        var traceState = string.Empty;
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
                3 => OtlpCommon.TryReadString(ref reader, wireType, out traceState, countOnly),
                4 => TryReadAttribute(ref reader, wireType, batch, countOnly, out attributeError),
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
        if (!countOnly)
        {
            batch.AddLink(new LinkRecord(high, low, spanId, traceState, flags, new AttributeRange(attributesStart, batch.AttributeCount - attributesStart), dropped));
        }

        error = null;
        return true;
    }

    /// <summary>
    /// Reads one KeyValue (<see cref="OtlpCommon.TryReadKeyValue"/>) into the batch's attributes; a count-only decode
    /// checks it and keeps nothing (nothing reads a validated batch's attributes, events or links).
    /// </summary>
    private static bool TryReadAttribute(ref ProtoReader reader, WireType wireType, SpanBatch batch, bool countOnly, out string? error)
    {
        if (!OtlpCommon.TryReadKeyValue(ref reader, wireType, string.Empty, out var added, out error, countOnly))
        {
            return false;
        }

        if (!countOnly)
        {
            batch.AddAttribute(added);
        }

        return true;
    }

    /// <summary>
    /// proto3 string fields must hold valid UTF-8 (https://protobuf.dev/programming-guides/proto3/#scalar), and
    /// strict parsers refuse the whole message otherwise. We replace each invalid sequence with U+FFFD instead
    /// (what <see cref="Encoding.UTF8"/> does): one bad byte in an attribute should not cost the export.
    /// </summary>
    /// <remarks><paramref name="countOnly"/>: a validating decode, which checks lengths but keeps no text.</remarks>
    internal static string DecodeString(ReadOnlySpan<byte> utf8, bool countOnly = false) => utf8.IsEmpty || countOnly ? string.Empty : Utf8Text.Decode(utf8);

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

    private static bool Malformed(SpanBatch batch, SpanBatchMark mark, string reason, out string? error)
    {
        batch.Truncate(mark);
        error = reason;
        return false;
    }

    private struct DecodeState
    {
        /// <summary>Validate and count only: text is left empty (<see cref="Validate"/>).</summary>
        public bool CountOnly;

        public int Accepted;
        public int Rejected;
        public string? FirstRejection;
    }
}
