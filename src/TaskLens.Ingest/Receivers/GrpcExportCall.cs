using Grpc.Core;
using TaskLens.Ingest.Otlp;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// What the standard gRPC server's admission step learned about a call before its body was read: the tenant, the
/// admission lease every buffer of the call is counted against, and when the call started. It reaches the raw-bytes
/// deserializer and the gzip provider through an async-local, since Grpc.AspNetCore hands those no HttpContext.
/// A refusal made inside the server's own machinery (<see cref="Refuse"/>) notes its reason here, so the admission
/// step counts each refused call once, with the reason TaskLens gave or, failing that, the one its status says.
/// </summary>
internal sealed class GrpcExportCall(string tenant, AdmissionControl.Lease lease, long startedTimestamp, int maxRequestBytes, TimeSpan retryAfter)
{
    /// <summary>The message a call pushed back for want of budget gets (RESOURCE_EXHAUSTED with RetryInfo).</summary>
    public const string OverBudgetMessage = "TaskLens is at its in-flight limit for this tenant; retry after the delay.";

    private static readonly AsyncLocal<GrpcExportCall?> CurrentCall = new();

    public string Tenant { get; } = tenant;

    public AdmissionControl.Lease Lease { get; } = lease;

    public long StartedTimestamp { get; } = startedTimestamp;

    /// <summary><c>MaxRequestBytes</c>: the bound on the message after decompression.</summary>
    public int MaxRequestBytes { get; } = maxRequestBytes;

    /// <summary>The <c>tasklens.ingest.refusals</c> reason of a refusal TaskLens made during the call; null if none.</summary>
    public string? RefusalReason { get; private set; }

    public static GrpcExportCall? Current
    {
        get => CurrentCall.Value;
        set => CurrentCall.Value = value;
    }

    /// <summary>
    /// The exception that ends the call with <paramref name="code"/>, noting <paramref name="reason"/> for the count;
    /// with RetryInfo of <paramref name="retryDelay"/> in the status details when given.
    /// </summary>
    public RpcException Refuse(StatusCode code, string message, string reason, TimeSpan? retryDelay = null)
    {
        RefusalReason = reason;
        var trailers = new Metadata();
        if (code == StatusCode.ResourceExhausted && reason == IngestMeter.OverBudget)
        {
            // RESOURCE_EXHAUSTED is retryable for OTLP/gRPC clients only with RetryInfo in the status details.
            retryDelay ??= retryAfter;
        }

        if (retryDelay is { } delay)
        {
            trailers.Add("grpc-status-details-bin", OtlpResponses.StatusWithRetryInfo((GrpcStatusCode)code, message, delay));
        }

        return new RpcException(new Status(code, message), trailers);
    }

    /// <summary>Pushed back: the admission budget has no room for the next buffer of this call.</summary>
    public RpcException PushBack() => Refuse(StatusCode.ResourceExhausted, OverBudgetMessage, IngestMeter.OverBudget);
}
