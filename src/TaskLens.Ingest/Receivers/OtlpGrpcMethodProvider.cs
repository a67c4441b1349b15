using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using TaskLens.Ingest.Otlp;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// Binds the three OTLP Export methods to <see cref="OtlpGrpcService"/> without generated code: each is a unary
/// method whose request is the raw message (<see cref="GrpcExportMessage.Marshaller"/>) and whose response is the
/// already-encoded ExportXxxServiceResponse.
/// </summary>
internal sealed class OtlpGrpcMethodProvider : IServiceMethodProvider<OtlpGrpcService>
{
    private static readonly Marshaller<byte[]> ResponseMarshaller = Marshallers.Create<byte[]>(
        static response => response,
        static _ => throw new NotSupportedException("Export responses are only sent."));

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<OtlpGrpcService> context)
    {
        foreach (var signal in OtlpSignal.All)
        {
            // GrpcPath is "/package.Service/Export".
            var slash = signal.GrpcPath.LastIndexOf('/');
            var method = new Method<GrpcExportMessage, byte[]>(
                MethodType.Unary, signal.GrpcPath[1..slash], signal.GrpcPath[(slash + 1)..], GrpcExportMessage.Marshaller, ResponseMarshaller);
            context.AddUnaryMethod(method, [], (service, request, call) => service.ExportAsync(signal, request, call));
        }
    }
}
