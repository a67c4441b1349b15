using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TaskLens.UnitTests.TestSupport;

/// <summary>
/// An OpenAI-compatible chat completions server on loopback, for tests of the real client code. It enforces what the
/// API documents: <c>Authorization: Bearer KEY</c> (401 otherwise), a known model (404), and the request shape —
/// <c>messages</c> with valid roles, tool results naming a <c>tool_call_id</c> the assistant issued, <c>tools</c> as
/// functions with JSON-schema parameters (400 otherwise). Answers come from a script, one step per request: text, a
/// function call, a delay (for timeouts), or an error status with <c>Retry-After</c>. Every request is recorded.
/// </summary>
internal sealed class FakeOpenAiServer : IAsyncDisposable
{
    public const string Key = "sk-test-0123456789";
    public const string Model = "gpt-4o-mini";

    private static readonly string[] Roles = ["system", "developer", "user", "assistant", "tool"];
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<JsonObject, Step>> _script = new();
    private int _ids;

    private FakeOpenAiServer(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public ConcurrentQueue<Recorded> Requests { get; } = new();

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeOpenAiServer(app);
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Endpoint = new Uri(address + "/v1");
        return server;
    }

    /// <summary>The next answer, decided from the request (its tools, messages).</summary>
    public FakeOpenAiServer Then(Func<JsonObject, Step> step)
    {
        _script.Enqueue(step);
        return this;
    }

    public FakeOpenAiServer Then(Step step) => Then(_ => step);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var arrived = DateTimeOffset.UtcNow;
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }

        Requests.Enqueue(new Recorded(arrived, context.Request.Headers.Authorization.ToString(), body?.ToJsonString() ?? ""));
        if (context.Request.Headers.Authorization != $"Bearer {Key}")
        {
            await Error(context, 401, "invalid_request_error", "Incorrect API key provided.");
            return;
        }

        if ((body is null ? "We could not parse the JSON body of your request." : Shape(body)) is { } problem)
        {
            await Error(context, 400, "invalid_request_error", problem);
            return;
        }

        if ((string?)body!["model"] != Model)
        {
            await Error(context, 404, "model_not_found", $"The model `{body["model"]}` does not exist or you do not have access to it.");
            return;
        }

        var step = _script.TryDequeue(out var next) ? next(body) : Step.Text("(no script left)");
        if (step.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(step.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (step.Status != 200)
        {
            if (step.RetryAfter is { } after)
            {
                context.Response.Headers.RetryAfter = ((int)after.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            }

            await Error(context, step.Status, step.Status == 429 ? "rate_limit_exceeded" : "server_error", "scripted");
            return;
        }

        var id = Interlocked.Increment(ref _ids);
        JsonObject message = step.Function is { } function
            ? new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = null,
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["id"] = $"call_{id}", ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = function.Name, ["arguments"] = function.Arguments },
                }),
            }
            : new JsonObject { ["role"] = "assistant", ["content"] = step.Content };
        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["id"] = $"chatcmpl-{id}",
            ["object"] = "chat.completion",
            ["created"] = arrived.ToUnixTimeSeconds(),
            ["model"] = Model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = step.Function is null ? "stop" : "tool_calls" }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 1200, ["completion_tokens"] = 150, ["total_tokens"] = 1350 },
        });
    }

    /// <summary>What is wrong with the request's shape, or null.</summary>
    private static string? Shape(JsonObject body)
    {
        if (body["messages"] is not JsonArray { Count: > 0 } messages)
        {
            return "'messages' must be a non-empty array.";
        }

        var issued = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in messages)
        {
            var role = (string?)m?["role"];
            if (role is null || !Roles.Contains(role))
            {
                return $"Invalid value for 'role': {role}.";
            }

            foreach (var call in m!["tool_calls"] as JsonArray ?? [])
            {
                issued.Add((string?)call?["id"] ?? "");
            }

            if (role == "tool" && !issued.Contains((string?)m["tool_call_id"] ?? ""))
            {
                return "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
            }

            if (role != "assistant" && role != "tool" && m["content"] is null)
            {
                return $"Invalid value for 'content': expected a string for role {role}.";
            }
        }

        foreach (var tool in body["tools"] as JsonArray ?? [])
        {
            if ((string?)tool?["type"] != "function" || tool["function"]?["name"] is null || tool["function"]?["parameters"] is not JsonObject)
            {
                return "Invalid 'tools': each must be {\"type\": \"function\", \"function\": {\"name\", \"parameters\"}}.";
            }
        }

        return null;
    }

    private static async Task Error(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["code"] = type } });
    }

    internal sealed record Recorded(DateTimeOffset At, string Authorization, string Body)
    {
        public JsonObject Json => (JsonObject)JsonNode.Parse(Body)!;
    }

    internal sealed record Step(int Status, string? Content, (string Name, string Arguments)? Function, TimeSpan Delay, TimeSpan? RetryAfter)
    {
        public static Step Text(string content) => new(200, content, null, TimeSpan.Zero, null);

        public static Step Call(string name, string arguments) => new(200, null, (name, arguments), TimeSpan.Zero, null);

        public static Step Fail(HttpStatusCode status, TimeSpan? retryAfter = null) => new((int)status, null, null, TimeSpan.Zero, retryAfter);

        public static Step Hang(TimeSpan delay) => new(200, "too late", null, delay, null);

        /// <summary>Calls the first offered tool whose name ends with <paramref name="function"/>.</summary>
        public static Func<JsonObject, Step> CallTool(string function, string arguments) => request =>
            Call(
                (request["tools"] as JsonArray ?? []).Select(t => (string?)t?["function"]?["name"]).FirstOrDefault(n => n?.EndsWith(function, StringComparison.Ordinal) == true)
                    ?? "no-such-tool-offered",
                arguments);
    }
}
