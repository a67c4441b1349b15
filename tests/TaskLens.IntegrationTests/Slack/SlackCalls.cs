using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TaskLens.IntegrationTests.Incidents;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Slack;

/// <summary>What the Slack tests say to TaskLens as Slack would: settings pointing at the fake, and signed requests.</summary>
internal static class SlackCalls
{
    public const string SigningSecret = "fake-signing-secret-0123456789abcdef";
    public const string AlertsChannel = "C0ALERTS";
    public const string PaymentsChannel = "C0PAYMENTS";
    public const string PagerChannel = "C0PAGER";

    public static Dictionary<string, string?> Settings(FakeSlack slack, IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>(IncidentCalls.Settings)
        {
            ["TaskLens:Slack:BotToken"] = FakeSlack.Token,
            ["TaskLens:Slack:SigningSecret"] = SigningSecret,
            ["TaskLens:Slack:Channel"] = AlertsChannel,
            ["TaskLens:Slack:ApiUrl"] = slack.ApiUrl.AbsoluteUri,
            ["TaskLens:Slack:CoalesceInterval"] = "00:00:02",
            ["TaskLens:Slack:Users:0:SlackUserId"] = "U0ANA",
            ["TaskLens:Slack:Users:0:User"] = "ana",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Signed as Slack signs (v0 HMAC-SHA256 over "v0:timestamp:body"), computed here independently of TaskLens.</summary>
    public static string Sign(string secret, string timestamp, string body) =>
        "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}")));

    public static string Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>Posts a form body with the given headers (null leaves a header out).</summary>
    public static async Task<(HttpStatusCode Status, string Body)> PostAsync(TaskLensHost host, string path, string body, string? timestamp, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        if (timestamp is not null)
        {
            request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        }

        if (signature is not null)
        {
            request.Headers.Add("X-Slack-Signature", signature);
        }

        using var response = await host.Api.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task<(HttpStatusCode Status, string Body)> SignedAsync(TaskLensHost host, string path, string body)
    {
        var timestamp = Now();
        return await PostAsync(host, path, body, timestamp, Sign(SigningSecret, timestamp, body));
    }

    /// <summary>The form body Slack sends when <paramref name="user"/> presses a button of a message.</summary>
    public static string Click(JsonObject button, string user, string channel, string ts)
    {
        var payload = new JsonObject
        {
            ["type"] = "block_actions",
            ["user"] = new JsonObject { ["id"] = user, ["username"] = user.ToLowerInvariant(), ["team_id"] = "T0FAKE" },
            ["team"] = new JsonObject { ["id"] = "T0FAKE", ["domain"] = "fake" },
            ["channel"] = new JsonObject { ["id"] = channel, ["name"] = "alerts" },
            ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = ts, ["channel_id"] = channel },
            ["trigger_id"] = "1.2.3",
            ["response_url"] = "https://hooks.slack.com/actions/T0FAKE/1/2",
            ["actions"] = new JsonArray(new JsonObject
            {
                ["type"] = "button",
                ["action_id"] = button["action_id"]!.GetValue<string>(),
                ["block_id"] = "incident",
                ["value"] = button["value"]!.GetValue<string>(),
                ["action_ts"] = "1764000000.123456",
            }),
        };
        return "payload=" + Uri.EscapeDataString(payload.ToJsonString());
    }

    /// <summary>The form body of <c>/tasklens text</c> typed by <paramref name="user"/>.</summary>
    public static string Command(string text, string user, string channel = AlertsChannel) =>
        $"token=legacy&team_id=T0FAKE&team_domain=fake&channel_id={channel}&channel_name=alerts&user_id={user}&user_name={user.ToLowerInvariant()}"
        + $"&command=%2Ftasklens&text={Uri.EscapeDataString(text)}&api_app_id=A0FAKE&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1&trigger_id=1.2.3";

    /// <summary>A button of the message as the fake holds it now.</summary>
    public static JsonObject Button(FakeSlack slack, string channel, string ts, string actionId)
    {
        var message = slack.Message(channel, ts) ?? throw new InvalidOperationException("no such message");
        return message["blocks"]!.AsArray().Where(b => b!["type"]!.GetValue<string>() == "actions")
            .SelectMany(b => b!["elements"]!.AsArray()).OfType<JsonObject>()
            .Single(e => e["action_id"]!.GetValue<string>() == actionId);
    }

    /// <summary>Waits until the fake's recorded calls satisfy <paramref name="done"/> (30 s at most).</summary>
    public static async Task<IReadOnlyList<SlackCall>> UntilAsync(FakeSlack slack, Func<IReadOnlyList<SlackCall>, bool> done, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var calls = slack.Accepted;
            if (done(calls))
            {
                return calls;
            }

            Assert.True(DateTime.UtcNow < deadline, "Slack did not receive the expected calls in time; it got: "
                + string.Join(" | ", slack.Calls.Select(c => $"{c.Method} {c.Channel} {c.Ts}/{c.ThreadTs} {c.Error} {c.Text}")));
            await Task.Delay(100);
        }
    }

    public static JsonDocument Json(string body) => JsonDocument.Parse(body);
}
