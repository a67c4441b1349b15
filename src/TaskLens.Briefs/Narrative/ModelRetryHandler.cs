using Microsoft.Extensions.Logging;

namespace TaskLens.Briefs.Narrative;

/// <summary>
/// Retries model requests that time out or are answered 429 or 5xx, waiting what <c>Retry-After</c> says (seconds or
/// an HTTP date, capped at <see cref="LlmOptions.MaxRetryAfter"/>; exponential from one second when absent), up to
/// <see cref="LlmOptions.MaxRetries"/> times; each attempt gets <see cref="LlmOptions.Timeout"/>. The OpenAI client's
/// own retries are off, so these are the only ones. <see cref="Attempts"/> counts every request sent.
/// </summary>
internal sealed class ModelRetryHandler(LlmOptions options, TimeProvider time, ILogger logger) : DelegatingHandler
{
    private int _attempts;

    public int Attempts => Volatile.Read(ref _attempts);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            using var attemptRequest = Clone(request, body);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Timeout);
            HttpResponseMessage response;
            Interlocked.Increment(ref _attempts);
            try
            {
                response = await base.SendAsync(attemptRequest, timeout.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= options.MaxRetries)
                {
                    throw new TimeoutException(e is OperationCanceledException
                        ? $"the model did not answer within {options.Timeout.TotalSeconds:0.#} s ({attempt + 1} attempts)"
                        : $"the model could not be reached ({attempt + 1} attempts): {e.Message}", e);
                }

                await Wait(attempt, null, 0, cancellationToken);
                continue;
            }

            var status = (int)response.StatusCode;
            if ((status == 429 || status >= 500) && attempt < options.MaxRetries)
            {
                var delay = RetryAfter(response);
                response.Dispose();
                await Wait(attempt, delay, status, cancellationToken);
                continue;
            }

            return response;
        }
    }

    private async Task Wait(int attempt, TimeSpan? retryAfter, int status, CancellationToken cancellationToken)
    {
        var delay = retryAfter ?? TimeSpan.FromSeconds(Math.Pow(2, attempt));
        delay = delay > options.MaxRetryAfter ? options.MaxRetryAfter : delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        BriefsLog.ModelRetry(logger, status, attempt + 1, (long)delay.TotalMilliseconds);
        await Task.Delay(delay, time, cancellationToken);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow(),
            _ => null,
        };

    private static HttpRequestMessage Clone(HttpRequestMessage request, byte[]? body)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        foreach (var header in request.Headers)
        {
            clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (body is not null)
        {
            clone.Content = new ByteArrayContent(body);
            foreach (var header in request.Content!.Headers)
            {
                clone.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return clone;
    }
}
