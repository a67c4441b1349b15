using TaskLens.Core.Logs;
using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// Decodes <c>ExportLogsServiceRequest</c> protobuf (collector/logs/v1, logs/v1) into <see cref="LogRow"/>s.
/// A record with a malformed trace or span id is rejected (partial success); a request that is not valid protobuf
/// of the expected shape adds nothing and is reported as malformed. Never throws on any input.
/// </summary>
public static class OtlpLogDecoder
{
    private static readonly (string, string, string) Names = ("resource_logs", "scope_logs", "log_records");

    public static OtlpDecodeResult Decode(ReadOnlySpan<byte> request, LogBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var start = batch.Rows.Count;
        var context = new OtlpEnvelope.ItemContext();
        if (!OtlpEnvelope.TryWalk(request, Names, context, (item, c, out error) => TryDecodeRecord(item, c, batch, out error), out var reason))
        {
            batch.Rows.RemoveRange(start, batch.Rows.Count - start);
            return OtlpDecodeResult.Malformed(reason!);
        }

        return context.Result();
    }

    /// <summary>
    /// LogRecord: time_unix_nano = 1, observed_time_unix_nano = 11, severity_number = 2, severity_text = 3,
    /// body = 5, attributes = 6, dropped_attributes_count = 7, flags = 8, trace_id = 9, span_id = 10, event_name = 12.
    /// </summary>
    private static bool TryDecodeRecord(ReadOnlySpan<byte> message, OtlpEnvelope.ItemContext context, LogBatch batch, out string? error)
    {
        ulong time = 0, observed = 0, traceHigh = 0, traceLow = 0, spanId = 0, severity = 0;
        uint dropped = 0, flags = 0;
        string severityText = string.Empty, eventName = string.Empty, body = string.Empty;
        var bodyType = AttributeValueType.Empty;
        string? traceIdProblem = null, spanIdProblem = null;
        var attributes = new List<AttributeRecord>();
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "bad field tag";
                return false;
            }

            ReadOnlySpan<byte> bytes = default;
            error = null;
            var ok = field switch
            {
                1 => OtlpCommon.TryReadFixed64(ref reader, wireType, out time),
                11 => OtlpCommon.TryReadFixed64(ref reader, wireType, out observed),
                2 => wireType == WireType.Varint && reader.TryReadVarint(out severity),
                3 => OtlpCommon.TryReadString(ref reader, wireType, out severityText),
                5 or 9 or 10 => wireType == WireType.LengthDelimited && reader.TryReadLengthDelimited(out bytes),
                6 => OtlpCommon.TryReadAttribute(ref reader, wireType, attributes, out error),
                7 => OtlpCommon.TryReadUInt32(ref reader, wireType, out dropped),
                8 => wireType == WireType.Fixed32 && reader.TryReadFixed32(out flags),
                12 => OtlpCommon.TryReadString(ref reader, wireType, out eventName),
                _ => reader.TrySkip(wireType),
            };
            if (ok && field == 5)
            {
                ok = AnyValueText.TryDecode(bytes, out bodyType, out body, out error);
                error = error is null ? null : "body: " + error;
            }
            else if (ok && field == 9)
            {
                traceIdProblem = OtlpCommon.ReadOptionalTraceId(bytes, out traceHigh, out traceLow);
            }
            else if (ok && field == 10)
            {
                spanIdProblem = OtlpCommon.ReadOptionalSpanId(bytes, out spanId);
            }

            if (!ok)
            {
                error ??= $"field {field} truncated or of the wrong wire type";
                return false;
            }
        }

        var index = context.Accepted + context.Rejected;
        // A repeated id field is decided by its last occurrence, as protobuf parsers do for singular fields.
        if ((traceIdProblem ?? spanIdProblem) is { } idProblem)
        {
            context.Reject($"log record {index}", idProblem);
            error = null;
            return true;
        }

        batch.Rows.Add(new LogRow
        {
            Resource = context.Resource,
            Scope = context.Scope,
            TimeUnixNano = time,
            ObservedTimeUnixNano = observed,
            SeverityNumber = severity <= 24 ? (int)severity : 0,
            SeverityText = severityText,
            BodyType = bodyType,
            Body = body,
            Attributes = attributes,
            DroppedAttributesCount = dropped,
            Flags = flags,
            TraceIdHigh = traceHigh,
            TraceIdLow = traceLow,
            SpanId = spanId,
            EventName = eventName,
            Fingerprint = Fingerprint.Hash(message, context.ScopeHash),
        });
        context.Accepted++;
        error = null;
        return true;
    }
}
