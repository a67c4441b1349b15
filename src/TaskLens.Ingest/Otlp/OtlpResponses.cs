using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TaskLens.Ingest.Otlp;

/// <summary>Protobuf bodies TaskLens answers OTLP exports with.</summary>
public static class OtlpResponses
{
    /// <summary>
    /// <c>Export{Trace,Logs,Metrics}ServiceResponse</c> (one shape for all three): empty on full success; with
    /// <c>partial_success</c> (field 1: rejected count = 1, error_message = 2) when items were rejected, which
    /// clients must not retry.
    /// </summary>
    public static byte[] ExportResponse(int rejectedSpans, string? errorMessage)
    {
        if (rejectedSpans == 0 && string.IsNullOrEmpty(errorMessage))
        {
            return [];
        }

        var inner = new ArrayBufferWriter<byte>(128);
        if (rejectedSpans > 0)
        {
            ProtoWriter.WriteTag(inner, 1, WireType.Varint);
            ProtoWriter.WriteVarint(inner, (ulong)rejectedSpans);
        }

        if (!string.IsNullOrEmpty(errorMessage))
        {
            ProtoWriter.WriteString(inner, 2, errorMessage);
        }

        var outer = new ArrayBufferWriter<byte>(inner.WrittenCount + 8);
        ProtoWriter.WriteBytes(outer, 1, inner.WrittenSpan);
        return outer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <c>google.rpc.Status</c> (code = 1, message = 2), the body the OTLP/HTTP spec requires for every 4xx and 5xx.
    /// </summary>
    public static byte[] Status(GrpcStatusCode code, string message)
    {
        var writer = new ArrayBufferWriter<byte>(message.Length + 16);
        ProtoWriter.WriteTag(writer, 1, WireType.Varint);
        ProtoWriter.WriteVarint(writer, (ulong)code);
        ProtoWriter.WriteString(writer, 2, message);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <c>google.rpc.Status</c> carrying a <c>google.rpc.RetryInfo</c> detail (as <c>google.protobuf.Any</c>), the
    /// <c>grpc-status-details-bin</c> payload that makes RESOURCE_EXHAUSTED retryable for OTLP/gRPC clients
    /// (https://opentelemetry.io/docs/specs/otlp/#otlpgrpc-throttling).
    /// </summary>
    public static byte[] StatusWithRetryInfo(GrpcStatusCode code, string message, TimeSpan retryDelay)
    {
        var duration = new ArrayBufferWriter<byte>(16);
        ProtoWriter.WriteTag(duration, 1, WireType.Varint);
        ProtoWriter.WriteVarint(duration, (ulong)(long)retryDelay.TotalSeconds);
        var nanos = (int)((retryDelay.Ticks % TimeSpan.TicksPerSecond) * 100);
        if (nanos > 0)
        {
            ProtoWriter.WriteTag(duration, 2, WireType.Varint);
            ProtoWriter.WriteVarint(duration, (ulong)nanos);
        }

        var retryInfo = new ArrayBufferWriter<byte>(24);
        ProtoWriter.WriteBytes(retryInfo, 1, duration.WrittenSpan);

        var any = new ArrayBufferWriter<byte>(96);
        ProtoWriter.WriteString(any, 1, "type.googleapis.com/google.rpc.RetryInfo");
        ProtoWriter.WriteBytes(any, 2, retryInfo.WrittenSpan);

        var status = new ArrayBufferWriter<byte>(message.Length + 128);
        ProtoWriter.WriteTag(status, 1, WireType.Varint);
        ProtoWriter.WriteVarint(status, (ulong)code);
        ProtoWriter.WriteString(status, 2, message);
        ProtoWriter.WriteBytes(status, 3, any.WrittenSpan);
        return status.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The OTLP/JSON form of <see cref="ExportResponse"/>: <c>{}</c>, or <c>partialSuccess</c> with the signal's
    /// rejected count (<c>rejectedSpans</c>, <c>rejectedLogRecords</c>, <c>rejectedDataPoints</c>) as a decimal
    /// string (int64 in the proto3 JSON mapping).
    /// </summary>
    public static byte[] ExportResponseJson(string rejectedKey, int rejectedSpans, string? errorMessage) =>
        Json(json =>
        {
            if (rejectedSpans == 0 && string.IsNullOrEmpty(errorMessage))
            {
                return;
            }

            json.WriteStartObject("partialSuccess");
            json.WriteString(rejectedKey, rejectedSpans.ToString(CultureInfo.InvariantCulture));
            json.WriteString("errorMessage", errorMessage ?? string.Empty);
            json.WriteEndObject();
        });

    /// <summary>The OTLP/JSON form of <see cref="Status"/>: <c>{"code":3,"message":"…"}</c>.</summary>
    public static byte[] StatusJson(GrpcStatusCode code, string message) =>
        Json(json =>
        {
            json.WriteNumber("code", (int)code);
            json.WriteString("message", message);
        });

    private static byte[] Json(Action<Utf8JsonWriter> writeMembers)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            writeMembers(json);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
