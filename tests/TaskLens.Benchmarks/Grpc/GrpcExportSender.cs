using Grpc.Core;
using Grpc.Net.Client;

namespace TaskLens.Benchmarks.Grpc;

/// <summary>
/// Sends ready-encoded ExportTraceServiceRequests with Grpc.Net.Client (one channel, HTTP/2 on loopback), as an OTLP
/// gRPC exporter would: the bytes go out as they are (a pass-through marshaller) and a push-back is retried after the
/// delay the server asked for.
/// </summary>
internal sealed class GrpcExportSender : IDisposable
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(static b => b, static b => b);

    private static readonly Method<byte[], byte[]> Export = new(
        MethodType.Unary, "opentelemetry.proto.collector.trace.v1.TraceService", "Export", Raw, Raw);

    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;

    public GrpcExportSender(Uri endpoint)
    {
        _channel = GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions
        {
            MaxSendMessageSize = null,
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionLifetime = Timeout.InfiniteTimeSpan },
        });
        _invoker = _channel.CreateCallInvoker();
    }

    /// <summary>Sends until accepted; returns how many times the export was pushed back.</summary>
    public async Task<int> SendUntilAcceptedAsync(byte[] export)
    {
        for (var refusals = 0; ; refusals++)
        {
            try
            {
                await _invoker.AsyncUnaryCall(Export, null, new CallOptions(deadline: DateTime.UtcNow.AddMinutes(2)), export);
                return refusals;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.ResourceExhausted or StatusCode.Unavailable && refusals < 300)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    public void Dispose() => _channel.Dispose();
}
