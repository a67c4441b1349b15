using System.Net;
using System.Net.Http.Headers;

namespace TaskLens.Benchmarks.Load;

/// <summary>Posts OTLP/HTTP protobuf exports over keep-alive connections and answers what TaskLens said, as an exporter sees it.</summary>
internal sealed class OtlpSender : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _endpoint;

    public OtlpSender(Uri endpoint, int connections)
    {
        _endpoint = endpoint;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            Timeout = TimeSpan.FromSeconds(120),
        };
    }

    /// <summary>One attempt: 200, or a refusal with its retry hint (null when the answer carried none).</summary>
    public async Task<(HttpStatusCode Status, TimeSpan? RetryAfter)> PostAsync(byte[] export)
    {
        using var content = new ByteArrayContent(export);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await _http.PostAsync(_endpoint, content);
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable))
        {
            throw new InvalidOperationException($"export refused for good: {(int)response.StatusCode}");
        }

        return (response.StatusCode, response.Headers.RetryAfter?.Delta);
    }

    /// <summary>Like an OTLP exporter: retries what TaskLens pushes back (429/503) after its Retry-After; returns the refusals.</summary>
    public async Task<int> SendUntilAcceptedAsync(byte[] export)
    {
        for (var refusals = 0; ; refusals++)
        {
            var (status, retryAfter) = await PostAsync(export);
            if (status == HttpStatusCode.OK)
            {
                return refusals;
            }

            if (refusals > 300)
            {
                throw new InvalidOperationException("an export was refused 300 times");
            }

            await Task.Delay(retryAfter ?? TimeSpan.FromSeconds(1));
        }
    }

    public void Dispose() => _http.Dispose();
}
