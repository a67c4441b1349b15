using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TaskLens.Slack.WebApi;

/// <summary>
/// The Slack Web API methods TaskLens uses (<c>chat.postMessage</c>, <c>chat.update</c>, <c>chat.postEphemeral</c>) and
/// incoming webhooks, over an HttpClient whose resilience handler retries 429 (after Retry-After), 5xx and connection
/// failures. Slack answers most errors as 200 with <c>"ok": false</c>; those become <see cref="SlackApiException"/>.
/// </summary>
internal sealed class SlackApiClient(HttpClient http, IOptions<SlackOptions> options, ILogger<SlackApiClient> logger)
{
    public const string HttpClientName = "slack";

    private readonly SlackOptions _options = options.Value;

    /// <summary>Posts a message (a thread reply when <paramref name="threadTs"/> is set); returns the channel id and ts.</summary>
    public async Task<(string Channel, string Ts)> PostMessageAsync(string channel, string text, JsonArray? blocks, string? threadTs, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["channel"] = channel, ["text"] = text, ["unfurl_links"] = false, ["unfurl_media"] = false };
        if (blocks is not null)
        {
            body["blocks"] = blocks.DeepClone();
        }

        if (threadTs is not null)
        {
            body["thread_ts"] = threadTs;
        }

        var answer = await CallAsync("chat.postMessage", body, cancellationToken).ConfigureAwait(false);
        return (answer.GetProperty("channel").GetString() ?? channel, answer.GetProperty("ts").GetString() ?? "");
    }

    public async Task UpdateAsync(string channel, string ts, string text, JsonArray blocks, CancellationToken cancellationToken) =>
        await CallAsync("chat.update", new JsonObject { ["channel"] = channel, ["ts"] = ts, ["text"] = text, ["blocks"] = blocks.DeepClone() }, cancellationToken)
            .ConfigureAwait(false);

    /// <summary>A message only <paramref name="user"/> sees, in <paramref name="channel"/>.</summary>
    public async Task PostEphemeralAsync(string channel, string user, string text, CancellationToken cancellationToken) =>
        await CallAsync("chat.postEphemeral", new JsonObject { ["channel"] = channel, ["user"] = user, ["text"] = text }, cancellationToken)
            .ConfigureAwait(false);

    /// <summary>Posts to the incoming webhook; it answers <c>ok</c> as text, or an error code with a 4xx.</summary>
    public async Task PostWebhookAsync(string text, JsonArray blocks, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["text"] = text, ["blocks"] = blocks.DeepClone(), ["unfurl_links"] = false };
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.WebhookUrl) { Content = Json(body) };
        SlackLog.Payload(logger, "webhook", body.ToJsonString());
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var answer = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            throw new SlackApiException("ratelimited", RetryAfterOf(response));
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new SlackApiException(answer.Length is > 0 and <= 100 ? answer : $"http_{(int)response.StatusCode}", retryAfter: null);
        }
    }

    private async Task<JsonElement> CallAsync(string method, JsonObject body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_options.ApiUrl, method)) { Content = Json(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.BotToken);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            SlackLog.Payload(logger, method, body.ToJsonString());
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            throw new SlackApiException("ratelimited", RetryAfterOf(response));
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new SlackApiException($"http_{(int)response.StatusCode}", retryAfter: null);
        }

        using var answer = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        var root = answer.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("ok", out var ok) || ok.ValueKind != JsonValueKind.True)
        {
            var error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : "invalid_response";
            throw new SlackApiException(error, retryAfter: null);
        }

        return root.Clone();
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static TimeSpan RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => TimeSpan.FromSeconds(1),
    };
}
