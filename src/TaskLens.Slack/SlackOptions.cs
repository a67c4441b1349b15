using TaskLens.Core;

namespace TaskLens.Slack;

/// <summary>
/// Slack delivery and interactivity (<c>TaskLens:Slack</c>). Off unless a bot token (Web API mode: one message per
/// incident, edited in place, thread replies, buttons, slash command) or an incoming-webhook URL (post only) is set.
/// </summary>
public sealed class SlackOptions
{
    public const string SectionName = "TaskLens:Slack";

    /// <summary>The bot token (<c>xoxb-…</c>) of the Slack app: turns on Web API mode. Never logged.</summary>
    public string BotToken { get; set; } = "";

    /// <summary>The app's signing secret: interactions and slash commands are refused unless signed with it. Never logged.</summary>
    public string SigningSecret { get; set; } = "";

    /// <summary>The channel (id such as <c>C0123456789</c>, or name) incidents go to when no route matches.</summary>
    public string Channel { get; set; } = "";

    /// <summary>Slack's Web API base; tests point it at a fake.</summary>
    public Uri ApiUrl { get; set; } = new("https://slack.com/api/");

    /// <summary>An incoming-webhook URL: the simpler set-up (post only: no edits, threads, buttons or commands).</summary>
    public string WebhookUrl { get; set; } = "";

    /// <summary>Where people open TaskLens: message links go to <c>{DashboardUrl}/incidents/{id}</c>.</summary>
    public Uri DashboardUrl { get; set; } = new("http://localhost:8080/");

    /// <summary>The tenant whose incidents the slash command lists and acts on.</summary>
    public string Tenant { get; set; } = Tenants.Default;

    /// <summary>Routes, first match wins; an incident no route matches goes to <see cref="Channel"/>.</summary>
    public List<SlackRoute> Routes { get; set; } = [];

    /// <summary>Slack users linked to TaskLens users by configuration (stored links are added with the API).</summary>
    public List<SlackUserOption> Users { get; set; } = [];

    /// <summary>The least time between two edits of one incident's message: a flood of changes coalesces into one edit.</summary>
    public TimeSpan CoalesceInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The least time between two messages (posts, edits, replies) to one channel; Slack allows about one a second.</summary>
    public TimeSpan ChannelInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many times a call is retried on 429 (after its Retry-After), 5xx or a connection failure.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>Per call, including retries.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    internal bool UsesWebApi => BotToken.Length > 0;

    internal bool UsesWebhook => BotToken.Length == 0 && WebhookUrl.Length > 0;

    internal bool Enabled => UsesWebApi || UsesWebhook;

    /// <summary>Every configuration error, listed at once (never echoing a secret).</summary>
    public IReadOnlyList<string> Validate() => Errors(this).ToList();

    private static IEnumerable<string> Errors(SlackOptions o)
    {
        if (o.BotToken.Length > 0 && !o.BotToken.StartsWith("xoxb-", StringComparison.Ordinal))
        {
            yield return "BotToken must be a bot token (xoxb-…).";
        }

        if (o.UsesWebApi && o.SigningSecret.Length == 0)
        {
            yield return "SigningSecret is required with a BotToken: buttons and the slash command are refused unless signed.";
        }

        if (o.UsesWebApi && o.Channel.Length == 0 && (o.Routes.Count == 0 || o.Routes[^1] is not { Tenant: "", Goal: "", Service: "", MinSeverity: null }))
        {
            yield return "Channel is required unless the last route matches every incident.";
        }

        if (o.WebhookUrl.Length > 0 && (!Uri.TryCreate(o.WebhookUrl, UriKind.Absolute, out var hook) || hook.Scheme is not ("https" or "http")))
        {
            yield return "WebhookUrl must be an absolute http(s) URL.";
        }

        if (!o.ApiUrl.IsAbsoluteUri || o.ApiUrl.Scheme is not ("https" or "http"))
        {
            yield return "ApiUrl must be an absolute http(s) URL.";
        }

        if (!o.DashboardUrl.IsAbsoluteUri)
        {
            yield return "DashboardUrl must be an absolute URL.";
        }

        if (o.Tenant.Length == 0)
        {
            yield return "Tenant must name a tenant.";
        }

        for (var i = 0; i < o.Routes.Count; i++)
        {
            if (o.Routes[i].Channel.Length == 0)
            {
                yield return $"Routes:{i}:Channel is required.";
            }
        }

        for (var i = 0; i < o.Users.Count; i++)
        {
            if (!SlackUsers.IsSlackUserId(o.Users[i].SlackUserId))
            {
                yield return $"Users:{i}:SlackUserId must be a Slack user id (U… or W…).";
            }

            if (!SlackUsers.IsUserName(o.Users[i].User))
            {
                yield return $"Users:{i}:User must be a TaskLens user name (1-200 characters, no control characters).";
            }
        }

        if (o.CoalesceInterval < TimeSpan.Zero || o.CoalesceInterval > TimeSpan.FromMinutes(10))
        {
            yield return "CoalesceInterval must be between 0 and 10 minutes.";
        }

        if (o.ChannelInterval < TimeSpan.Zero || o.ChannelInterval > TimeSpan.FromMinutes(1))
        {
            yield return "ChannelInterval must be between 0 and 1 minute.";
        }

        if (o.MaxRetries is < 0 or > 10)
        {
            yield return "MaxRetries must be between 0 and 10.";
        }

        if (o.RequestTimeout <= TimeSpan.Zero || o.RequestTimeout > TimeSpan.FromMinutes(10))
        {
            yield return "RequestTimeout must be between 0 and 10 minutes.";
        }
    }
}
