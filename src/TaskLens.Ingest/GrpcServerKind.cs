namespace TaskLens.Ingest;

/// <summary>The server that answers OTLP/gRPC (<see cref="IngestOptions.GrpcServer"/>).</summary>
public enum GrpcServerKind
{
    /// <summary>TaskLens's own gRPC framing on Kestrel HTTP/2 (<c>OtlpGrpcReceiver</c>).</summary>
    Framing,

    /// <summary>Grpc.AspNetCore, its methods bound with raw-bytes marshallers into TaskLens's decoder (<c>OtlpGrpcService</c>).</summary>
    Standard,
}
