using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskLens.Ingest.Otlp;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// OTLP/gRPC served straight on Kestrel HTTP/2 with TaskLens's own framing (<c>TaskLens:Ingest:GrpcServer=Framing</c>;
/// <see cref="OtlpGrpcService"/> is the Grpc.AspNetCore alternative): the unary methods <c>TraceService/Export</c>,
/// <c>LogsService/Export</c> and <c>MetricsService/Export</c>, framed per the gRPC HTTP/2 protocol with the status in trailers.
/// </summary>
internal sealed class OtlpGrpcReceiver(
    OtlpExport export,
    TenantResolver tenants,
    AdmissionControl admission,
    IOptions<IngestOptions> options,
    IngestMeter meter,
    ILogger<OtlpGrpcReceiver> logger)
{
    internal const string StoreUnavailableMessage = "Storage is unavailable; retry later.";

    private const string Transport = "grpc";

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var contentType = request.ContentType ?? string.Empty;
        // The gRPC protocol answers a non-gRPC content type with plain HTTP 415.
        if (!IsGrpcRequest(request))
        {
            IngestLog.RequestRefused(logger, Transport, StatusCodes.Status415UnsupportedMediaType, contentType);
            meter.Refused(Transport, "unsupported");
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-accept-encoding"] = "identity,gzip";

        var signal = OtlpSignal.ByGrpcPath(request.Path.Value);
        if (signal is null)
        {
            Finish(context, GrpcStatusCode.Unimplemented, $"Method {request.Path} is not served here; TaskLens serves the Export methods of TraceService, LogsService and MetricsService.");
            return;
        }

        var tenant = tenants.Resolve(request, out var refusal);
        if (tenant is null)
        {
            Finish(context, GrpcStatusCode.Unauthenticated, refusal);
            return;
        }

        var encoding = request.Headers["grpc-encoding"].ToString();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            Finish(context, GrpcStatusCode.Unimplemented, $"grpc-encoding '{encoding}' is not supported; use gzip or identity.");
            return;
        }

        // A tenant the spool would refuse is answered before its message is read or validated, as over OTLP/HTTP: the
        // client sends the same export again on every retry (issue 20).
        if (export.Spools && export.SpoolRefuses(tenant, await SpoolBytesAsync(request.BodyReader, context.RequestAborted), Transport))
        {
            RefuseStoreUnavailable(context, export.SpoolRetryAfter);
            return;
        }

        // Admission comes before the body is read: the lease grows with every buffer the body and its inflated form
        // take, so concurrent requests are counted before their memory is used, not after (issue 14).
        var max = options.Value.MaxRequestBytes;
        using var lease = admission.TryAdmit(tenant, 0);
        if (lease is null)
        {
            PushBack(context);
            return;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (body, overBudget) = await RequestBody.ReadAsync(request.BodyReader, max + GrpcFraming.PrefixLength, request.ContentLength, lease, context.RequestAborted);
        using var _ = body;
        if (body is null)
        {
            if (overBudget)
            {
                PushBack(context);
            }
            else
            {
                Finish(context, GrpcStatusCode.ResourceExhausted, $"The export is larger than {max} bytes.");
            }

            return;
        }

        var buffer = new ReadOnlySequence<byte>(body.Memory);
        var status = GrpcFraming.TryReadMessage(ref buffer, max, out var message, out var compressed);
        switch (status)
        {
            case GrpcFrameStatus.TooLarge:
                Finish(context, GrpcStatusCode.ResourceExhausted, $"The export is larger than {max} bytes.");
                return;
            case GrpcFrameStatus.InvalidFlag:
                Finish(context, GrpcStatusCode.Internal, "Invalid compressed-flag byte in the message prefix.");
                return;
            case GrpcFrameStatus.Incomplete:
                Finish(context, GrpcStatusCode.Internal, "The request ended inside a message.");
                return;
            default:
                break;
        }

        if (!buffer.IsEmpty)
        {
            Finish(context, GrpcStatusCode.Internal, "Export is unary: the request carried more than one message.");
            return;
        }

        if (compressed && !gzip)
        {
            Finish(context, GrpcStatusCode.Internal, "A compressed message arrived without a grpc-encoding header.");
            return;
        }

        byte[]? inflated = null;
        try
        {
            var payload = message.First;
            if (compressed)
            {
                var inflatedStatus = Gzip.TryDecompress(payload, max, out inflated, out var length, lease);
                if (inflatedStatus == GzipStatus.OverBudget)
                {
                    PushBack(context);
                    return;
                }

                if (inflatedStatus != GzipStatus.Ok)
                {
                    Finish(
                        context,
                        inflatedStatus == GzipStatus.TooLarge ? GrpcStatusCode.ResourceExhausted : GrpcStatusCode.Internal,
                        inflatedStatus == GzipStatus.TooLarge ? $"The export is larger than {max} bytes after decompression." : "The message is not valid gzip.");
                    return;
                }

                // The compressed body is not needed any more: its memory goes back to the budget now.
                var compressedBytes = body.Capacity;
                body.Dispose();
                lease.Shrink(compressedBytes);
                payload = inflated.AsMemory(0, length);
            }

            var (outcome, result, retryAfter) = await export.ExportAsync(signal, payload, json: false, tenant, Transport, started, context.RequestAborted);
            switch (outcome)
            {
                case ExportOutcome.Malformed:
                    Finish(context, GrpcStatusCode.InvalidArgument, $"Undecodable {signal.RequestMessage}: {result.MalformedReason}");
                    break;
                case ExportOutcome.StoreUnavailable:
                    RefuseStoreUnavailable(context, retryAfter);
                    break;
                default:
                    var response = new ArrayBufferWriter<byte>(64);
                    GrpcFraming.WriteMessage(response, OtlpResponses.ExportResponse(result.Rejected, result.ErrorMessage));
                    await context.Response.BodyWriter.WriteAsync(response.WrittenMemory, context.RequestAborted);
                    Finish(context, GrpcStatusCode.Ok, null);
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

    internal static bool IsGrpcRequest(HttpRequest request)
    {
        var contentType = request.ContentType ?? string.Empty;
        return HttpMethods.IsPost(request.Method)
            && (contentType.Equals("application/grpc", StringComparison.OrdinalIgnoreCase)
                || contentType.StartsWith("application/grpc+proto", StringComparison.OrdinalIgnoreCase)
                || contentType.StartsWith("application/grpc;", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// What the spool's refusal check (<see cref="OtlpExport.SpoolRefuses"/>) is asked with before the message is read:
    /// the length the message's prefix declares when it is not compressed — what would be spooled — and otherwise 1,
    /// so only a tenant with no room at all is refused then (the spool judges the inflated export again). The prefix is
    /// peeked at, not consumed: the body is read afterwards from the same reader (also for <see cref="OtlpGrpcService"/>).
    /// </summary>
    internal static async ValueTask<long> SpoolBytesAsync(PipeReader body, CancellationToken cancellationToken)
    {
        var read = await body.ReadAtLeastAsync(GrpcFraming.PrefixLength, cancellationToken);
        var bytes = UncompressedLength(read.Buffer);

        // Nothing consumed; all of it examined, since a pipe refuses an examined position before one it was given
        // (ReadAtLeastAsync may have examined the end already): the next read returns at once if the body is complete,
        // or when more of it comes, as the body's reader needs anyway.
        body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        return bytes;
    }

    private static long UncompressedLength(ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < GrpcFraming.PrefixLength)
        {
            // The body ended before a whole prefix: reading it answers that.
            return 1;
        }

        Span<byte> prefix = stackalloc byte[GrpcFraming.PrefixLength];
        buffer.Slice(0, GrpcFraming.PrefixLength).CopyTo(prefix);
        return prefix[0] == 0 ? Math.Max(1, BinaryPrimitives.ReadUInt32BigEndian(prefix[1..])) : 1;
    }

    /// <summary>Answers RESOURCE_EXHAUSTED with RetryInfo in trailers, before any body is read (also for <see cref="OtlpGrpcService"/>).</summary>
    internal void PushBack(HttpContext context)
    {
        // RESOURCE_EXHAUSTED is retryable for OTLP/gRPC clients only with RetryInfo in the status details.
        const string Message = "TaskLens is at its in-flight limit for this tenant; retry after the delay.";
        FinishWithRetryInfo(context, GrpcStatusCode.ResourceExhausted, Message, TimeSpan.FromSeconds(options.Value.RetryAfterSeconds), IngestMeter.OverBudget);
    }

    /// <summary>
    /// Answers UNAVAILABLE — retryable for OTLP/gRPC clients — with RetryInfo saying when (at least
    /// <c>RetryAfterSeconds</c>), as OTLP/HTTP answers 503 with Retry-After (also for <see cref="OtlpGrpcService"/>).
    /// </summary>
    internal void RefuseStoreUnavailable(HttpContext context, TimeSpan retryAfter) =>
        FinishWithRetryInfo(context, GrpcStatusCode.Unavailable, StoreUnavailableMessage, RetryDelay(retryAfter), IngestMeter.Unavailable);

    /// <summary>The retry delay of a storage refusal: <paramref name="retryAfter"/>, at least <c>RetryAfterSeconds</c>, in whole seconds.</summary>
    internal TimeSpan RetryDelay(TimeSpan retryAfter) =>
        TimeSpan.FromSeconds(Math.Max(options.Value.RetryAfterSeconds, Math.Ceiling(retryAfter.TotalSeconds)));

    private void FinishWithRetryInfo(HttpContext context, GrpcStatusCode code, string message, TimeSpan retryAfter, string reason)
    {
        var details = OtlpResponses.StatusWithRetryInfo(code, message, retryAfter);
        context.Response.AppendTrailer("grpc-status-details-bin", Convert.ToBase64String(details).TrimEnd('='));
        Finish(context, code, message, reason);
    }

    /// <param name="reason">The refusal reason for <c>/metrics</c>; by default the one <paramref name="code"/> says.</param>
    internal void Finish(HttpContext context, GrpcStatusCode code, string? message, string? reason = null)
    {
        if (code != GrpcStatusCode.Ok)
        {
            IngestLog.RequestRefused(logger, Transport, (int)code, message ?? string.Empty);
            meter.Refused(Transport, reason ?? code switch
            {
                GrpcStatusCode.Unauthenticated => "unauthenticated",
                GrpcStatusCode.Unimplemented => "unsupported",
                GrpcStatusCode.ResourceExhausted => "too_large",
                GrpcStatusCode.Unavailable => IngestMeter.Unavailable,
                _ => "malformed",
            });
        }

        context.Response.AppendTrailer("grpc-status", ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (message is not null)
        {
            context.Response.AppendTrailer("grpc-message", GrpcFraming.EncodeMessage(message));
        }
    }
}
