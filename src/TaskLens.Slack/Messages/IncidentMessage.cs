using System.Globalization;
using System.Text.Json.Nodes;
using TaskLens.Core.Alerts;
using TaskLens.Core.Incidents;

namespace TaskLens.Slack.Messages;

/// <summary>
/// The Block Kit message of one incident: header, status and severity, affected goals and services, the summary, who
/// did what, buttons and a link to TaskLens; every text within Slack's limits, cut with a link to the rest.
/// </summary>
internal static class IncidentMessage
{
    public const string AcknowledgeAction = "tasklens_ack";
    public const string ResolveAction = "tasklens_resolve";
    public const string AssignToMeAction = "tasklens_assign_me";

    public static Uri LinkOf(Uri dashboard, Incident incident)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        ArgumentNullException.ThrowIfNull(incident);
        return new Uri(dashboard, "incidents/" + Uri.EscapeDataString(incident.Id));
    }

    /// <summary>The notification text (shown where blocks are not) and the blocks.</summary>
    public static (string Text, JsonArray Blocks) Build(IncidentCard card, Uri dashboard)
    {
        ArgumentNullException.ThrowIfNull(card);
        var incident = card.Incident;
        var link = LinkOf(dashboard, incident);
        var more = SlackText.Link(link, "more in TaskLens");
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = PlainText(SlackText.TruncatePlain($"{Icon(incident)} {incident.Id}: {SlackText.Escape(incident.Title)}", SlackLimits.HeaderText)),
            },
            new JsonObject
            {
                ["type"] = "section",
                ["fields"] = new JsonArray(
                    Field("Status", StatusText(incident), more),
                    Field("Severity", Name(incident.Severity), more),
                    Field("Alerts", string.Create(CultureInfo.InvariantCulture, $"{incident.FiringAlerts} firing of {incident.Alerts}"), more),
                    Field("Assignee", incident.Assignee.Length == 0 ? "nobody" : SlackText.Escape(incident.Assignee), more)),
            },
            Section($"*Goals:* {List(incident.Goals)}\n*Services:* {List(incident.Services)}", more),
            Section("*Summary*\n" + SlackText.Escape(card.Summary), SlackText.Link(link, "read the whole brief in TaskLens")),
        };
        if (card.Activity.Count > 0)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "context",
                ["elements"] = new JsonArray(card.Activity.Take(SlackLimits.ContextElements).Select(a => (JsonNode)Mrkdwn(SlackText.Truncate(a, SlackLimits.FieldText, more))).ToArray()),
            });
        }

        blocks.Add(new JsonObject { ["type"] = "actions", ["block_id"] = "incident", ["elements"] = Buttons(card, link) });
        var text = SlackText.Truncate($"[{Name(incident.Severity)}] {incident.Id}: {SlackText.Escape(incident.Title)} ({StatusText(incident)})", SlackLimits.MessageText, more);
        return (text, Fit(blocks, more));
    }

    /// <summary>Blocks past Slack's 50 become one last section pointing to TaskLens.</summary>
    public static JsonArray Fit(JsonArray blocks, string more)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Count <= SlackLimits.Blocks)
        {
            return blocks;
        }

        var kept = new JsonArray();
        for (var i = 0; i < SlackLimits.Blocks - 1; i++)
        {
            kept.Add(blocks[i]!.DeepClone());
        }

        kept.Add(Section(string.Create(CultureInfo.InvariantCulture, $"…and {blocks.Count - kept.Count} more parts: {more}"), more));
        return kept;
    }

    /// <summary>The value a button carries back: tenant, incident and the version the message showed.</summary>
    public static string ButtonValue(Incident incident) => string.Create(CultureInfo.InvariantCulture, $"{incident.Tenant}|{incident.Id}|{incident.Version}");

    public static bool TryReadButtonValue(string value, out string tenant, out string id, out long version)
    {
        var parts = (value ?? "").Split('|');
        (tenant, id, version) = ("", "", 0);
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0 || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out version))
        {
            return false;
        }

        (tenant, id) = (parts[0], parts[1]);
        return true;
    }

    public static string Name(AlertSeverity severity) => severity.ToString().ToLowerInvariant();

    public static string StatusText(Incident incident)
    {
        ArgumentNullException.ThrowIfNull(incident);
        return incident.Status switch
        {
            IncidentStatus.Merged => "merged into " + SlackText.Escape(incident.MergedInto),
            var status => status.ToString().ToLowerInvariant(),
        };
    }

    private static JsonArray Buttons(IncidentCard card, Uri link)
    {
        var buttons = new JsonArray();
        var incident = card.Incident;
        if (card.Buttons && incident.IsOpen)
        {
            var value = ButtonValue(incident);
            if (incident.Status == IncidentStatus.Triggered)
            {
                buttons.Add(Button(AcknowledgeAction, "Acknowledge", value, "primary"));
            }

            buttons.Add(Button(ResolveAction, "Resolve", value, "danger"));
            buttons.Add(Button(AssignToMeAction, "Assign to me", value, null));
        }

        buttons.Add(new JsonObject { ["type"] = "button", ["action_id"] = "tasklens_open", ["text"] = PlainText("Open in TaskLens"), ["url"] = link.AbsoluteUri });
        return buttons;
    }

    private static JsonObject Button(string action, string label, string value, string? style)
    {
        var button = new JsonObject { ["type"] = "button", ["action_id"] = action, ["text"] = PlainText(label), ["value"] = value };
        if (style is not null)
        {
            button["style"] = style;
        }

        return button;
    }

    private static string Icon(Incident incident) => incident.Status switch
    {
        IncidentStatus.Resolved or IncidentStatus.Merged => "✅",
        IncidentStatus.Acknowledged => "👀",
        _ => incident.Severity switch { AlertSeverity.Critical => "🔴", AlertSeverity.Warning => "🟠", _ => "🔵" },
    };

    private static string List(IReadOnlyList<string> names) => names.Count == 0 ? "none named" : string.Join(", ", names.Select(SlackText.Escape));

    private static JsonObject Section(string mrkdwn, string more) =>
        new() { ["type"] = "section", ["text"] = Mrkdwn(SlackText.Truncate(mrkdwn, SlackLimits.SectionText, more)) };

    private static JsonObject Field(string name, string value, string more) => Mrkdwn(SlackText.Truncate($"*{name}*\n{value}", SlackLimits.FieldText, more));

    private static JsonObject Mrkdwn(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };
}
