using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;

namespace TaskLens.IntegrationTests.Ingest;

/// <summary>
/// Sends hand-built OTLP bodies the way exporters do, for the cases the SDK never produces (bytes and kvlist
/// values, malformed bodies, gzip framing) — over HTTP/1.1 to :4318 and as gRPC over HTTP/2 cleartext to :4317.
/// </summary>
internal static class OtlpClient
{
    private static readonly HttpClient Http = new();

    public static async Task<HttpResponseMessage> PostHttpAsync(Uri endpoint, byte[] body, string contentType = "application/x-protobuf", bool gzip = false, string? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var content = new ByteArrayContent(gzip ? Compress(body) : body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        request.Content = content;
        return await Http.SendAsync(request);
    }

    /// <summary>A unary gRPC call; returns the response message (if any) and the grpc-status and grpc-message trailers.</summary>
    public static async Task<GrpcReply> CallGrpcAsync(Uri endpoint, byte[] message, bool gzip = false, string path = "/opentelemetry.proto.collector.trace.v1.TraceService/Export", byte[]? rawFrame = null, string? authorization = null)
    {
        var payload = gzip ? Compress(message) : message;
        var frame = rawFrame ?? new byte[5 + payload.Length];
        if (rawFrame is null)
        {
            frame[0] = gzip ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
            payload.CopyTo(frame, 5);
        }

        return await CallGrpcAsync(endpoint, new ByteArrayContent(frame), gzip, path, authorization);
    }

    /// <summary>A unary gRPC call whose body is <paramref name="content"/> (framed by the caller), sent as it writes it.</summary>
    public static async Task<GrpcReply> CallGrpcAsync(Uri endpoint, HttpContent content, bool gzip = false, string path = "/opentelemetry.proto.collector.trace.v1.TraceService/Export", string? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("authorization", authorization);
        }

        if (gzip)
        {
            request.Headers.TryAddWithoutValidation("grpc-encoding", "gzip");
        }

        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        // A call that fails before any message may answer "Trailers-Only": the status in the response headers
        // (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md#responses); Grpc.AspNetCore does.
        var status = Metadata(response, "grpc-status") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : -1;
        var text = Metadata(response, "grpc-message") is { } m ? Uri.UnescapeDataString(m) : null;
        var details = Metadata(response, "grpc-status-details-bin") is { } d ? FromUnpaddedBase64(d) : [];
        return new GrpcReply((int)response.StatusCode, status, text, body.Length >= 5 ? body[5..] : [], details);
    }

    private static string? Metadata(HttpResponseMessage response, string name) =>
        response.TrailingHeaders.TryGetValues(name, out var trailer) ? trailer.Single()
        : response.Headers.TryGetValues(name, out var header) ? header.Single()
        : null;

    private static byte[] FromUnpaddedBase64(string text) =>
        Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));

    public static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}

internal sealed record GrpcReply(int HttpStatus, int GrpcStatus, string? GrpcMessage, byte[] Message, byte[] StatusDetails);
