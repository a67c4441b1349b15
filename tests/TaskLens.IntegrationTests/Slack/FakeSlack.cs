using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Slack;

/// <summary>
/// A loopback stand-in for Slack's Web API and an incoming webhook, enforcing what Slack documents: the bot token
/// (<c>not_authed</c>, <c>invalid_auth</c>), known channels, existing messages and threads, one message per second per
/// channel (429 with Retry-After), and Block Kit limits (<c>invalid_blocks</c>: 50 blocks, header 150, section text 3,000,
/// fields 10 of 2,000, button text 75 and value 2,000). It records every call it received, refused ones included.
/// </summary>
internal sealed class FakeSlack : IAsyncDisposable
{
    public const string Token = "xoxb-fake-0001-token";
    public const string WebhookPath = "/services/T0FAKE/B0FAKE/hook0secret";

    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly List<SlackCall> _calls = [];
    private readonly Dictionary<string, Dictionary<string, JsonObject>> _messages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastWrite = new(StringComparer.Ordinal);
    private long _ts = 1_764_000_000_000_100;
    private int _forced429;
    private int _forcedRetryAfter;

    private FakeSlack(WebApplication app, int port, IEnumerable<string> channels)
    {
        _app = app;
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        foreach (var channel in channels)
        {
            _messages[channel] = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        }
    }

    public Uri BaseUrl { get; }

    public Uri ApiUrl => new(BaseUrl, "api/");

    public Uri WebhookUrl => new(BaseUrl, WebhookPath.TrimStart('/'));

    /// <summary>Slack's documented pace for posting to one channel.</summary>
    public TimeSpan ChannelInterval { get; set; } = TimeSpan.FromSeconds(1);

    public IReadOnlyList<SlackCall> Calls
    {
        get
        {
            lock (_lock)
            {
                return _calls.ToList();
            }
        }
    }

    /// <summary>Calls that Slack would have accepted.</summary>
    public IReadOnlyList<SlackCall> Accepted => Calls.Where(c => c.Error is null).ToList();

    public static async Task<FakeSlack> StartAsync(params string[] channels)
    {
        var port = FreePorts.Take(1)[0];
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeSlack(app, port, channels);
        app.MapPost("/api/{method}", fake.ApiAsync);
        app.MapPost(WebhookPath, (Func<HttpContext, Task<IResult>>)fake.WebhookAsync);
        await app.StartAsync();
        return fake;
    }

    /// <summary>The next <paramref name="calls"/> calls get 429 with <c>Retry-After: seconds</c>.</summary>
    public void RateLimitNext(int calls, int seconds)
    {
        lock (_lock)
        {
            (_forced429, _forcedRetryAfter) = (calls, seconds);
        }
    }

    /// <summary>A message as it is now (after edits), or null.</summary>
    public JsonObject? Message(string channel, string ts)
    {
        lock (_lock)
        {
            return _messages.TryGetValue(channel, out var messages) && messages.TryGetValue(ts, out var message) ? (JsonObject)message.DeepClone() : null;
        }
    }

    /// <summary>Deletes a message, as a person in Slack could.</summary>
    public void Delete(string channel, string ts)
    {
        lock (_lock)
        {
            _messages[channel].Remove(ts);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> ApiAsync(string method, HttpContext context)
    {
        var at = DateTimeOffset.UtcNow;
        JsonObject? body = null;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
        }

        var auth = context.Request.Headers.Authorization.ToString();
        lock (_lock)
        {
            var call = new SlackCall(method, Str(body, "channel"), Str(body, "ts"), Str(body, "thread_ts"), Str(body, "text"), body?["blocks"]?.DeepClone() as JsonArray,
                Str(body, "user"), at, null);
            if (_forced429 > 0)
            {
                _forced429--;
                return TooMany(call, _forcedRetryAfter, context);
            }

            var error = auth.Length == 0 ? "not_authed"
                : auth != "Bearer " + Token ? "invalid_auth"
                : method is not ("chat.postMessage" or "chat.update" or "chat.postEphemeral") ? "unknown_method"
                : body is null || !context.Request.ContentType!.StartsWith("application/json", StringComparison.Ordinal) ? "invalid_arguments"
                : !_messages.ContainsKey(call.Channel) ? "channel_not_found"
                : call.Text.Length == 0 && call.Blocks is null ? "no_text"
                : call.Text.Length > 40_000 ? "msg_too_long"
                : call.Blocks is not null && BlocksError(call.Blocks) is { } blocksError ? blocksError
                : method == "chat.update" && !_messages[call.Channel].ContainsKey(call.Ts) ? "message_not_found"
                : call.ThreadTs.Length > 0 && !_messages[call.Channel].ContainsKey(call.ThreadTs) ? "thread_not_found"
                : method == "chat.postEphemeral" && call.User.Length == 0 ? "user_not_in_channel"
                : null;
            if (error is not null)
            {
                _calls.Add(call with { Error = error });
                return Results.Json(new { ok = false, error });
            }

            // Slack paces posting per channel (about one message a second, https://api.slack.com/docs/rate-limits#rate-limits__limits-when-posting-messages).
            if (method != "chat.postEphemeral")
            {
                if (_lastWrite.TryGetValue(call.Channel, out var last) && at - last < ChannelInterval)
                {
                    return TooMany(call, 1, context);
                }

                _lastWrite[call.Channel] = at;
            }

            switch (method)
            {
                case "chat.postMessage":
                    var ts = NextTs();
                    _messages[call.Channel][ts] = new JsonObject { ["text"] = call.Text, ["blocks"] = call.Blocks?.DeepClone(), ["thread_ts"] = call.ThreadTs };
                    _calls.Add(call with { Ts = ts });
                    return Results.Json(new { ok = true, channel = call.Channel, ts });
                case "chat.update":
                    _messages[call.Channel][call.Ts] = new JsonObject { ["text"] = call.Text, ["blocks"] = call.Blocks?.DeepClone() };
                    _calls.Add(call);
                    return Results.Json(new { ok = true, channel = call.Channel, ts = call.Ts });
                default:
                    _calls.Add(call);
                    return Results.Json(new { ok = true, message_ts = NextTs() });
            }
        }
    }

    private async Task<IResult> WebhookAsync(HttpContext context)
    {
        var at = DateTimeOffset.UtcNow;
        JsonObject? body = null;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
        }

        lock (_lock)
        {
            var call = new SlackCall("webhook", "webhook", "", "", Str(body, "text"), body?["blocks"]?.DeepClone() as JsonArray, "", at, null);
            var error = body is null ? "invalid_payload"
                : call.Text.Length == 0 && call.Blocks is null ? "no_text"
                : call.Blocks is not null && BlocksError(call.Blocks) is { } blocksError ? blocksError
                : null;
            if (error is not null)
            {
                _calls.Add(call with { Error = error });
                return Results.Text(error, statusCode: StatusCodes.Status400BadRequest);
            }

            if (_lastWrite.TryGetValue("webhook", out var last) && at - last < ChannelInterval)
            {
                return TooMany(call, 1, context);
            }

            _lastWrite["webhook"] = at;
            _calls.Add(call);
            return Results.Text("ok");
        }
    }

    private IResult TooMany(SlackCall call, int seconds, HttpContext context)
    {
        _calls.Add(call with { Error = "ratelimited" });
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Results.Json(new { ok = false, error = "ratelimited" }, statusCode: StatusCodes.Status429TooManyRequests);
    }

    private string NextTs()
    {
        var ts = ++_ts;
        return string.Create(CultureInfo.InvariantCulture, $"{ts / 1_000_000}.{ts % 1_000_000:D6}");
    }

    /// <summary>Block Kit's limits (https://api.slack.com/reference/block-kit/blocks); null when the blocks are valid.</summary>
    private static string? BlocksError(JsonArray blocks)
    {
        if (blocks.Count > 50)
        {
            return "invalid_blocks";
        }

        var actionIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var block in blocks)
        {
            var ok = Str(block, "type") switch
            {
                "header" => block!["text"] is JsonObject t && Str(t, "type") == "plain_text" && Str(t, "text").Length is > 0 and <= 150,
                "section" => (block!["text"] is null || (Str(block["text"], "text").Length is > 0 and <= 3000))
                    && (block["fields"] is not JsonArray fields || (fields.Count <= 10 && fields.All(f => Str(f, "text").Length is > 0 and <= 2000)))
                    && (block["text"] is not null || block["fields"] is not null),
                "context" => block!["elements"] is JsonArray e && e.Count is > 0 and <= 10 && e.All(x => Str(x, "text").Length is > 0 and <= 3000),
                "actions" => block!["elements"] is JsonArray b && b.Count is > 0 and <= 25 && b.All(x =>
                    Str(x, "type") == "button" && Str(x!["text"], "text").Length is > 0 and <= 75 && Str(x, "value").Length <= 2000
                    && Str(x, "action_id").Length is > 0 and <= 255 && actionIds.Add(Str(x, "action_id"))),
                "divider" => true,
                _ => false,
            };
            if (!ok)
            {
                return "invalid_blocks";
            }
        }

        return null;
    }

    private static string Str(JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
}
