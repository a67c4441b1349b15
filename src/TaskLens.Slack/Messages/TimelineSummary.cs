using System.Globalization;
using TaskLens.Core.Incidents;

namespace TaskLens.Slack.Messages;

/// <summary>
/// Timeline entries in words: a thread reply for what changed since the message last showed the incident (alerts
/// joining summarized, never one line per alert), and the "who did what" lines of the message itself.
/// </summary>
internal static class TimelineSummary
{
    private const int TitlesShown = 5;

    /// <summary>The thread reply for <paramref name="events"/>, or null when none is worth a reply.</summary>
    /// <param name="titles">Alert titles by alert id, for the alerts that joined.</param>
    public static string? Reply(IReadOnlyList<IncidentEvent> events, IReadOnlyDictionary<string, string> titles, string more)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(titles);
        var lines = new List<string>();
        var joined = events.Where(e => e.Kind == IncidentEventKind.AlertJoined).ToList();
        if (joined.Count > 0)
        {
            var named = joined.Take(TitlesShown).Select(e => SlackText.Escape(titles.TryGetValue(e.AlertId, out var title) && title.Length > 0 ? title : e.AlertId));
            var rest = joined.Count > TitlesShown ? string.Create(CultureInfo.InvariantCulture, $" …and {joined.Count - TitlesShown} more") : "";
            lines.Add(Count(joined.Count, "alert joined", "alerts joined") + ": " + string.Join("; ", named) + rest);
        }

        AddCount(lines, events, IncidentEventKind.AlertResolved, "alert resolved at its source", "alerts resolved at their source");
        AddCount(lines, events, IncidentEventKind.AlertRefired, "alert fired again", "alerts fired again");
        AddCount(lines, events, IncidentEventKind.AlertUpdated, "alert changed severity", "alerts changed severity");
        var splits = events.Where(e => e.Kind == IncidentEventKind.AlertSplitOff).GroupBy(e => e.OtherIncident);
        foreach (var split in splits)
        {
            lines.Add(Count(split.Count(), "alert", "alerts") + $" split off to {SlackText.Escape(split.Key)} by {Who(split.First().Actor)}");
        }

        foreach (var e in events)
        {
            var line = e.Kind switch
            {
                IncidentEventKind.Acknowledged => $"Acknowledged by {Who(e.Actor)}",
                IncidentEventKind.Assigned => e.Text.Length == 0 ? $"Unassigned by {Who(e.Actor)}" : $"Assigned to {SlackText.Escape(e.Text)} by {Who(e.Actor)}",
                IncidentEventKind.Resolved => e.Actor == IncidentBoard.System ? "Resolved: every alert resolved at its source" : $"Resolved by {Who(e.Actor)}",
                IncidentEventKind.Reopened => $"Reopened by {Who(e.Actor)}",
                IncidentEventKind.Noted => $"Note from {Who(e.Actor)}: {SlackText.Escape(e.Text)}",
                IncidentEventKind.SeverityChanged => $"Severity set to {SlackText.Escape(e.Text)} by {Who(e.Actor)}",
                IncidentEventKind.MergedInto => $"Merged into {SlackText.Escape(e.OtherIncident)} by {Who(e.Actor)}",
                IncidentEventKind.MergedFrom => $"{SlackText.Escape(e.OtherIncident)} merged in by {Who(e.Actor)}",
                IncidentEventKind.SplitFrom => $"Split off from {SlackText.Escape(e.OtherIncident)} by {Who(e.Actor)}",
                _ => null,
            };
            if (line is not null)
            {
                lines.Add(line);
            }
        }

        return lines.Count == 0 ? null : SlackText.Truncate(string.Join("\n", lines), SlackLimits.MessageText, more);
    }

    /// <summary>
    /// Who acknowledged, who owns it and who resolved or reopened it last, with the Slack users linked to them mentioned
    /// (<paramref name="mentions"/>: person → Slack user ids); message edits notify nobody, so mentions are safe here.
    /// </summary>
    public static IReadOnlyList<string> Activity(IReadOnlyList<IncidentEvent> timeline, IReadOnlyDictionary<string, IReadOnlyList<string>> mentions)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(mentions);
        var lines = new List<string>();
        string Person(string actor) => Who(actor) + (mentions.TryGetValue(actor, out var ids) && ids.Count > 0 ? " (" + string.Join(", ", ids.Select(id => $"<@{id}>")) + ")" : "");
        string When(DateTimeOffset at) => string.Create(CultureInfo.InvariantCulture, $"<!date^{at.ToUnixTimeSeconds()}^{{date_short_pretty}} {{time}}|{at:yyyy-MM-dd HH:mm} UTC>");

        if (timeline.LastOrDefault(e => e.Kind == IncidentEventKind.Acknowledged) is { } ack)
        {
            lines.Add($"Acknowledged by {Person(ack.Actor)} {When(ack.At)}");
        }

        if (timeline.LastOrDefault(e => e.Kind == IncidentEventKind.Assigned) is { Text.Length: > 0 } assigned)
        {
            lines.Add($"Assigned to {Person(assigned.Text)} by {Who(assigned.Actor)} {When(assigned.At)}");
        }

        if (timeline.LastOrDefault(e => e.Kind is IncidentEventKind.Resolved or IncidentEventKind.Reopened or IncidentEventKind.MergedInto) is { } last)
        {
            lines.Add(last.Kind switch
            {
                IncidentEventKind.Resolved when last.Actor == IncidentBoard.System => $"Resolved automatically {When(last.At)}",
                IncidentEventKind.Resolved => $"Resolved by {Person(last.Actor)} {When(last.At)}",
                IncidentEventKind.Reopened => $"Reopened by {Person(last.Actor)} {When(last.At)}",
                _ => $"Merged into {SlackText.Escape(last.OtherIncident)} by {Person(last.Actor)} {When(last.At)}",
            });
        }

        return lines;
    }

    private static string Who(string actor) => actor == IncidentBoard.System ? "TaskLens" : "*" + SlackText.Escape(actor).Replace("*", "", StringComparison.Ordinal) + "*";

    private static string Count(int n, string one, string many) => string.Create(CultureInfo.InvariantCulture, $"*{n} {(n == 1 ? one : many)}*");

    private static void AddCount(List<string> lines, IReadOnlyList<IncidentEvent> events, IncidentEventKind kind, string one, string many)
    {
        var n = events.Count(e => e.Kind == kind);
        if (n > 0)
        {
            lines.Add(Count(n, one, many));
        }
    }
}
