using System.IO.Pipelines;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskLens.Ingest.Otlp;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// OTLP/gRPC on Grpc.AspNetCore (<c>TaskLens:Ingest:GrpcServer=Standard</c>): the three Export methods bound by
/// <see cref="OtlpGrpcMethodProvider"/> with a raw-bytes marshaller, so the server does the HTTP/2 framing, gzip and
/// status trailers while TaskLens's own decoder reads the bytes. Tenant, the spool's refusal and admission are settled
/// by <see cref="AdmitAsync"/> before the server reads the message, as <see cref="OtlpGrpcReceiver"/> does; the refusals
/// are the same codes with the same RetryInfo.
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
    /// its body is read (issue 14), and its body is read through <see cref="BudgetedGrpcBodyReader"/>, so what the
    /// server buffers is counted too. Whatever the call's answer, a refusal is counted here once — including those
    /// the server makes itself (oversized message, unknown method or encoding, a message cut short).
    /// </summary>
    public async Task AdmitAsync(HttpContext context, RequestDelegate next)
    {
        if (!OtlpGrpcReceiver.IsGrpcRequest(context.Request) || OtlpSignal.ByGrpcPath(context.Request.Path.Value) is null)
        {
            await next(context);
            CountRefusal(context, null);
            return;
        }

        var tenant = tenants.Resolve(context.Request, out var refusal);
        if (tenant is null)
        {
            StartRefusal(context);
            framing.Finish(context, GrpcStatusCode.Unauthenticated, refusal);
            return;
        }

        // A tenant the spool would refuse is answered before the server reads its message (as OTLP/HTTP is before its
        // body): the client sends the same export again on every retry (issue 20).
        if (export.Spools && export.SpoolRefuses(tenant, await OtlpGrpcReceiver.SpoolBytesAsync(context.Request.BodyReader, context.RequestAborted), Transport))
        {
            StartRefusal(context);
            framing.RefuseStoreUnavailable(context, export.SpoolRetryAfter);
            return;
        }

        using var lease = admission.TryAdmit(tenant, 0);
        if (lease is null)
        {
            StartRefusal(context);
            framing.PushBack(context);
            return;
        }

        var call = new GrpcExportCall(
            tenant, lease, System.Diagnostics.Stopwatch.GetTimestamp(), options.Value.MaxRequestBytes, TimeSpan.FromSeconds(options.Value.RetryAfterSeconds));
        var body = context.Features.Get<IRequestBodyPipeFeature>();
        context.Features.Set<IRequestBodyPipeFeature>(new BodyFeature(new BudgetedGrpcBodyReader(context.Request.BodyReader, call)));
        GrpcExportCall.Current = call;
        try
        {
            await next(context);
        }
        finally
        {
            GrpcExportCall.Current = null;
            context.Features.Set(body);
        }

        CountRefusal(context, call);
    }

    public async Task<byte[]> ExportAsync(OtlpSignal signal, GrpcExportMessage message, ServerCallContext context)
    {
        using var _ = message;
        var call = message.Call!;
        if (message.OverBudget)
        {
            throw call.PushBack();
        }

        var max = options.Value.MaxRequestBytes;
        if (message.Body!.Length > max)
        {
            // The server bounds the message as received; this bounds it after the server inflated it.
            throw call.Refuse(StatusCode.ResourceExhausted, $"The export is larger than {max} bytes after decompression.", "too_large");
        }

        var (outcome, result, retryAfter) = await export.ExportAsync(signal, message.Body.Memory, json: false, call.Tenant, Transport, call.StartedTimestamp, context.CancellationToken);
        return outcome switch
        {
            ExportOutcome.Malformed => throw call.Refuse(StatusCode.InvalidArgument, $"Undecodable {signal.RequestMessage}: {result.MalformedReason}", "malformed"),
            ExportOutcome.StoreUnavailable => throw call.Refuse(
                StatusCode.Unavailable, OtlpGrpcReceiver.StoreUnavailableMessage, IngestMeter.Unavailable, framing.RetryDelay(retryAfter)),
            _ => OtlpResponses.ExportResponse(result.Rejected, result.ErrorMessage),
        };
    }

    /// <summary>
    /// Counts and logs the call's refusal, if it was one: the status is in the trailers, or in the headers of a
    /// Trailers-Only answer; a call the server never took as gRPC (415, 404) is refused as unsupported.
    /// </summary>
    private void CountRefusal(HttpContext context, GrpcExportCall? call)
    {
        var response = context.Response;
        var status = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"] is { Count: > 0 } trailer
            ? trailer.ToString()
            : response.Headers["grpc-status"].ToString();
        int code;
        if (status.Length == 0)
        {
            if (response.StatusCode < 400)
            {
                return;
            }

            code = response.StatusCode;
        }
        else if (!int.TryParse(status, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out code)
            || code is (int)StatusCode.OK or (int)StatusCode.Cancelled)
        {
            // A call the client cancelled was not refused.
            return;
        }

        var message = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-message"].ToString() is { Length: > 0 } inTrailers
            ? inTrailers
            : response.Headers["grpc-message"].ToString();
        IngestLog.RequestRefused(logger, Transport, code, Uri.UnescapeDataString(message));
        meter.Refused(Transport, call?.RefusalReason ?? (StatusCode)code switch
        {
            _ when status.Length == 0 => "unsupported",
            StatusCode.Unauthenticated => "unauthenticated",
            StatusCode.Unimplemented => "unsupported",
            StatusCode.ResourceExhausted => "too_large",
            StatusCode.Unavailable => IngestMeter.Unavailable,
            _ => "malformed",
        });
    }

    private static void StartRefusal(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
    }

    private sealed class BodyFeature(PipeReader reader) : IRequestBodyPipeFeature
    {
        public PipeReader Reader { get; } = reader;
    }
}
