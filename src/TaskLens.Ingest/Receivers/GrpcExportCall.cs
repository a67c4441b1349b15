namespace TaskLens.Ingest.Receivers;

/// <summary>
/// What the standard gRPC server's admission step learned about a call before its body was read: the tenant, the
/// admission lease the message's buffer is counted against, and when the call started. It reaches the raw-bytes
/// deserializer through an async-local, since Grpc.AspNetCore hands a deserializer no HttpContext.
/// </summary>
internal sealed class GrpcExportCall(string tenant, AdmissionControl.Lease lease, long startedTimestamp)
{
    private static readonly AsyncLocal<GrpcExportCall?> CurrentCall = new();

    public string Tenant { get; } = tenant;

    public AdmissionControl.Lease Lease { get; } = lease;

    public long StartedTimestamp { get; } = startedTimestamp;

    public static GrpcExportCall? Current
    {
        get => CurrentCall.Value;
        set => CurrentCall.Value = value;
    }
}
