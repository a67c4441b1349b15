using System.Buffers;
using Grpc.Core;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// An export request as the standard gRPC server hands it over: the message's bytes (already inflated by the server
/// when it came gzipped) copied once into a pooled buffer counted against the call's admission lease, for TaskLens's own
/// decoder. No protobuf object is built. Dispose returns the buffer.
/// </summary>
internal sealed class GrpcExportMessage : IDisposable
{
    private GrpcExportMessage(RequestBody? body, GrpcExportCall? call, bool overBudget)
    {
        Body = body;
        Call = call;
        OverBudget = overBudget;
    }

    /// <summary>Null when <see cref="OverBudget"/>.</summary>
    public RequestBody? Body { get; }

    public GrpcExportCall? Call { get; }

    /// <summary>The admission budget had no room for the message: the call is pushed back, not failed.</summary>
    public bool OverBudget { get; }

    /// <summary>The request marshaller: the bytes as they are, never a generated message type.</summary>
    public static Marshaller<GrpcExportMessage> Marshaller { get; } = new(
        static (_, _) => throw new NotSupportedException("Export requests are only received."),
        Read);

    private static GrpcExportMessage Read(DeserializationContext context)
    {
        var call = GrpcExportCall.Current
            ?? throw new InvalidOperationException("An OTLP/gRPC export reached the deserializer without passing admission.");
        var length = context.PayloadLength;
        if (!call.Lease.TryGrow(IBufferBudget.RentedSize(length)))
        {
            return new GrpcExportMessage(null, call, overBudget: true);
        }

        var buffer = IngestBufferPool.Shared.Rent(length);
        context.PayloadAsReadOnlySequence().CopyTo(buffer);
        return new GrpcExportMessage(RequestBody.FromPooled(buffer, length), call, overBudget: false);
    }

    public void Dispose() => Body?.Dispose();
}
