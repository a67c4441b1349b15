using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskLens.Ingest.Otlp;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// OTLP/gRPC on Grpc.AspNetCore (<c>TaskLens:Ingest:GrpcServer=Standard</c>): the three Export methods bound by
/// <see cref="OtlpGrpcMethodProvider"/> with a raw-bytes marshaller, so the server does the HTTP/2 framing, gzip and
/// status trailers while TaskLens's own decoder reads the bytes. Tenant and admission are settled by
/// <see cref="AdmitAsync"/> before the server reads the body, as <see cref="OtlpGrpcReceiver"/> does; the refusals are
/// the same codes with the same RetryInfo.
/// </summary>
internal sealed class OtlpGrpcService(
    OtlpExport export,
    OtlpGrpcReceiver framing,
    TenantResolver tenants,
    AdmissionControl admission,
    IOptions<IngestOptions> options,
    IngestMeter meter,
    ILogger<OtlpGrpcService> logger)
{
    private const string Transport = "grpc";

    /// <summary>
    /// Middleware ahead of the gRPC endpoints: an Export call gets its tenant and an admission lease before a byte of
    /// its body is read (issue 14); anything else (other paths, other content types) is left to the gRPC server's answers.
    /// </summary>
    public async Task AdmitAsync(HttpContext context, RequestDelegate next)
    {
        if (!OtlpGrpcReceiver.IsGrpcRequest(context.Request) || OtlpSignal.ByGrpcPath(context.Request.Path.Value) is null)
        {
            await next(context);
            return;
        }

        var tenant = tenants.Resolve(context.Request, out var refusal);
        if (tenant is null)
        {
            StartRefusal(context);
            framing.Finish(context, GrpcStatusCode.Unauthenticated, refusal);
            return;
        }

        using var lease = admission.TryAdmit(tenant, 0);
        if (lease is null)
        {
            StartRefusal(context);
            framing.PushBack(context);
            return;
        }

        GrpcExportCall.Current = new GrpcExportCall(tenant, lease, System.Diagnostics.Stopwatch.GetTimestamp());
        try
        {
            await next(context);
        }
        finally
        {
            GrpcExportCall.Current = null;
        }
    }

    public async Task<byte[]> ExportAsync(OtlpSignal signal, GrpcExportMessage message, ServerCallContext context)
    {
        using var _ = message;
        var call = message.Call!;
        if (message.OverBudget)
        {
            throw Refuse(StatusCode.ResourceExhausted, "TaskLens is at its in-flight limit for this tenant; retry after the delay.", IngestMeter.OverBudget, retryInfo: true);
        }

        var max = options.Value.MaxRequestBytes;
        if (message.Body!.Length > max)
        {
            // The server bounds the message as received; this bounds it after the server inflated it.
            throw Refuse(StatusCode.ResourceExhausted, $"The export is larger than {max} bytes after decompression.", "too_large");
        }

        var (outcome, result, _) = await export.ExportAsync(signal, message.Body.Memory, json: false, call.Tenant, Transport, call.StartedTimestamp, context.CancellationToken);
        return outcome switch
        {
            ExportOutcome.Malformed => throw Refuse(StatusCode.InvalidArgument, $"Undecodable {signal.RequestMessage}: {result.MalformedReason}", "malformed"),
            ExportOutcome.StoreUnavailable => throw Refuse(StatusCode.Unavailable, "Storage is unavailable; retry later.", IngestMeter.Unavailable),
            _ => OtlpResponses.ExportResponse(result.Rejected, result.ErrorMessage),
        };
    }

    private static void StartRefusal(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
    }

    private RpcException Refuse(StatusCode code, string message, string reason, bool retryInfo = false)
    {
        IngestLog.RequestRefused(logger, Transport, (int)code, message);
        meter.Refused(Transport, reason);
        var trailers = new Metadata();
        if (retryInfo)
        {
            // RESOURCE_EXHAUSTED is retryable for OTLP/gRPC clients only with RetryInfo in the status details.
            trailers.Add("grpc-status-details-bin", OtlpResponses.StatusWithRetryInfo(
                (GrpcStatusCode)code, message, TimeSpan.FromSeconds(options.Value.RetryAfterSeconds)));
        }

        return new RpcException(new Status(code, message), trailers);
    }
}
