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
    public string Tenant { get; set; } = "default";

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
}
