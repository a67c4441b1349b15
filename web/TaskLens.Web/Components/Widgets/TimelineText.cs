using TaskLens.Core.Incidents;

namespace TaskLens.Web.Components.Widgets;

/// <summary>One timeline entry in words.</summary>
internal static class TimelineText
{
    public static string Of(IncidentEvent e) => e.Kind switch
    {
        IncidentEventKind.Opened => "opened" + Suffix(e.Text),
        IncidentEventKind.AlertJoined => $"alert {e.AlertId} joined" + Suffix(e.Text),
        IncidentEventKind.AlertResolved => $"alert {e.AlertId} resolved",
        IncidentEventKind.AlertRefired => $"alert {e.AlertId} fired again",
        IncidentEventKind.AlertUpdated => $"alert {e.AlertId} changed" + Suffix(e.Text),
        IncidentEventKind.Acknowledged => "acknowledged",
        IncidentEventKind.Resolved => "resolved" + Suffix(e.Text),
        IncidentEventKind.Reopened => "reopened" + Suffix(e.Text),
        IncidentEventKind.Assigned => e.Text.Length > 0 ? $"assigned to {e.Text}" : "unassigned",
        IncidentEventKind.Noted => "note: " + e.Text,
        IncidentEventKind.SeverityChanged => "severity set to " + e.Text,
        IncidentEventKind.MergedInto => $"merged into {e.OtherIncident}",
        IncidentEventKind.MergedFrom => $"{e.OtherIncident} merged in",
        IncidentEventKind.AlertSplitOff => $"alert {e.AlertId} split off to {e.OtherIncident}",
        IncidentEventKind.SplitFrom => $"split from {e.OtherIncident}",
        IncidentEventKind.BriefWritten => "brief written" + Suffix(e.Text),
        _ => e.Kind.ToString(),
    };

    private static string Suffix(string text) => text.Length > 0 ? ": " + text : "";
}
