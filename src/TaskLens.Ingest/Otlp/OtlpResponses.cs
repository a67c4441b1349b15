using System.Buffers;

namespace TaskLens.Ingest.Otlp;

/// <summary>Protobuf bodies TaskLens answers OTLP exports with.</summary>
public static class OtlpResponses
{
    /// <summary>
    /// <c>ExportTraceServiceResponse</c>: empty on full success; with <c>partial_success</c> (field 1:
    /// rejected_spans = 1, error_message = 2) when spans were rejected, which clients must not retry.
    /// </summary>
    public static byte[] ExportTraceResponse(int rejectedSpans, string? errorMessage)
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
}
