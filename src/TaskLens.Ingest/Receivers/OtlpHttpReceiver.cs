using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskLens.Ingest.Otlp;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// OTLP/HTTP (https://opentelemetry.io/docs/specs/otlp/#otlphttp): <c>POST /v1/traces</c>, <c>/v1/logs</c> and
/// <c>/v1/metrics</c> with binary protobuf or JSON. Answers use the request's encoding; every refusal carries a <c>google.rpc.Status</c> body, as the spec
/// requires for 4xx and 5xx answers (protobuf when the request's content type is not one we serve).
/// </summary>
internal sealed class OtlpHttpReceiver(
    OtlpExport export,
    TenantResolver tenants,
    AdmissionControl admission,
    IOptions<IngestOptions> options,
    IngestMeter meter,
    ILogger<OtlpHttpReceiver> logger)
{
    private const string Transport = "http";
    private const string Protobuf = "application/x-protobuf";
    private const string Json = "application/json";

    private static readonly object JsonAnswerKey = new();

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var signal = OtlpSignal.ByHttpPath(request.Path.Value);
        if (signal is null)
        {
            await RefuseAsync(context, StatusCodes.Status404NotFound, GrpcStatusCode.NotFound, $"No OTLP signal at {request.Path}; send to /v1/traces, /v1/logs or /v1/metrics.");
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await RefuseAsync(context, StatusCodes.Status405MethodNotAllowed, GrpcStatusCode.Unimplemented, "OTLP exports are POST requests.");
            return;
        }

        var tenant = tenants.Resolve(request, out var refusal);
        if (tenant is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, GrpcStatusCode.Unauthenticated, refusal!);
            return;
        }

        var mediaType = request.ContentType?.Split(';', 2)[0].Trim();
        var json = string.Equals(mediaType, Json, StringComparison.OrdinalIgnoreCase);
        if (!json && !string.Equals(mediaType, Protobuf, StringComparison.OrdinalIgnoreCase))
        {
            await RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, GrpcStatusCode.InvalidArgument, $"Content-Type '{request.ContentType}' is not supported; send {Protobuf} or {Json}.");
            return;
        }

        // From here on, answers use the request's encoding.
        context.Items[JsonAnswerKey] = json;

        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        var gzip = string.Equals(encoding, "gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !string.Equals(encoding, "identity", StringComparison.OrdinalIgnoreCase))
        {
            await RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, GrpcStatusCode.InvalidArgument, $"Content-Encoding '{encoding}' is not supported; use gzip or none.");
            return;
        }

        // A tenant the spool would refuse is answered before its body is read or validated: the client sends the same
        // export again on every retry (issue 20). An uncompressed protobuf body is what would be spooled; otherwise only
        // a tenant with no room at all is refused here, and the spool decides after validation as before.
        if (export.SpoolRefuses(tenant, !json && !gzip && request.ContentLength is { } declared ? declared : 1, Transport))
        {
            await RefuseStoreUnavailableAsync(context, export.SpoolRetryAfter);
            return;
        }

        // Admission comes before the body is read: the lease grows with every buffer the body and its inflated form
        // take, so concurrent requests are counted before their memory is used, not after (issue 14).
        var max = options.Value.MaxRequestBytes;
        using var lease = admission.TryAdmit(tenant, 0);
        if (lease is null)
        {
            await PushBackAsync(context);
            return;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (body, overBudget) = await RequestBody.ReadAsync(request.BodyReader, max, request.ContentLength, lease, context.RequestAborted);
        using var _ = body;
        if (body is null)
        {
            await (overBudget ? PushBackAsync(context) : RefuseTooLargeAsync(context, max));
            return;
        }

        byte[]? inflated = null;
        try
        {
            var payload = body.Memory;
            if (gzip)
            {
                var status = Gzip.TryDecompress(body.Memory, max, out inflated, out var length, lease);
                switch (status)
                {
                    case GzipStatus.TooLarge:
                        await RefuseTooLargeAsync(context, max);
                        return;
                    case GzipStatus.OverBudget:
                        await PushBackAsync(context);
                        return;
                    case GzipStatus.Invalid:
                        await RefuseAsync(context, StatusCodes.Status400BadRequest, GrpcStatusCode.InvalidArgument, "The body is not valid gzip.");
                        return;
                    default:
                        break;
                }

                // The compressed body is not needed any more: its memory goes back to the budget now.
                var compressed = body.Capacity;
                body.Dispose();
                lease.Shrink(compressed);
                payload = inflated.AsMemory(0, length);
            }

            var (outcome, result, retryAfter) = await export.ExportAsync(signal, payload, json, tenant, Transport, started, context.RequestAborted);
            switch (outcome)
            {
                case ExportOutcome.Malformed:
                    await RefuseAsync(context, StatusCodes.Status400BadRequest, GrpcStatusCode.InvalidArgument, $"Undecodable {signal.RequestMessage}: {result.MalformedReason}");
                    break;
                case ExportOutcome.StoreUnavailable:
                    await RefuseStoreUnavailableAsync(context, retryAfter);
                    break;
                default:
                    context.Response.StatusCode = StatusCodes.Status200OK;
                    context.Response.ContentType = json ? Json : Protobuf;
                    var answer = json
                        ? OtlpResponses.ExportResponseJson(signal.RejectedJsonKey, result.Rejected, result.ErrorMessage)
                        : OtlpResponses.ExportResponse(result.Rejected, result.ErrorMessage);
                    await context.Response.Body.WriteAsync(answer, context.RequestAborted);
                    break;
            }
        }
        finally
        {
            if (inflated is { Length: > 0 })
            {
                IngestBufferPool.Shared.Return(inflated);
            }
        }
    }

    private Task PushBackAsync(HttpContext context)
    {
        // 429 with Retry-After is in OTLP/HTTP's list of retryable answers: the client keeps the data.
        context.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return RefuseAsync(context, StatusCodes.Status429TooManyRequests, GrpcStatusCode.ResourceExhausted, "TaskLens is at its in-flight limit for this tenant; retry after the delay.");
    }

    private Task RefuseStoreUnavailableAsync(HttpContext context, TimeSpan retryAfter)
    {
        // 503 with Retry-After is retryable for OTLP/HTTP clients: the data stays with the client until storage takes it.
        context.Response.Headers.RetryAfter = Math.Max(options.Value.RetryAfterSeconds, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, GrpcStatusCode.Unavailable, "Storage is unavailable; retry later.");
    }

    private Task RefuseTooLargeAsync(HttpContext context, int max) =>
        RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, GrpcStatusCode.ResourceExhausted, $"The export is larger than {max} bytes (after decompression).");

    private async Task RefuseAsync(HttpContext context, int httpStatus, GrpcStatusCode code, string message)
    {
        IngestLog.RequestRefused(logger, Transport, httpStatus, message);
        meter.Refused(Transport, IngestMeter.ReasonOf(httpStatus));
        var json = context.Items.TryGetValue(JsonAnswerKey, out var flag) && flag is true;
        context.Response.StatusCode = httpStatus;
        context.Response.ContentType = json ? Json : Protobuf;
        await context.Response.Body.WriteAsync(json ? OtlpResponses.StatusJson(code, message) : OtlpResponses.Status(code, message), context.RequestAborted);
    }
}
