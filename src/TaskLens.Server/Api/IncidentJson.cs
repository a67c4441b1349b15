using TaskLens.Core.Incidents;

namespace TaskLens.Server.Api;

/// <summary>The JSON shapes of incidents: a summary (lists and triage answers) and the full detail.</summary>
internal static class IncidentJson
{
    public static object Summary(Incident i) => new
    {
        id = i.Id,
        title = i.Title,
        status = i.Status.ToString().ToLowerInvariant(),
        severity = i.Severity.ToString().ToLowerInvariant(),
        assignee = i.Assignee,
        goals = i.Goals,
        services = i.Services,
        alerts = i.Alerts,
        firingAlerts = i.FiringAlerts,
        openedAt = i.OpenedAt,
        updatedAt = i.UpdatedAt,
        acknowledgedAt = i.AcknowledgedAt,
        resolvedAt = i.ResolvedAt,
        resolvedBy = i.ResolvedBy,
        mergedInto = i.MergedInto.Length == 0 ? null : i.MergedInto,
        version = i.Version,
        links = new { self = $"/api/incidents/{i.Id}" },
    };

    public static object Detail(IncidentDetail d) => new
    {
        incident = Summary(d.Incident),
        alerts = d.Alerts.Select(a => new
        {
            id = a.Membership.AlertId,
            source = a.Alert?.Source,
            fingerprint = a.Alert?.Fingerprint,
            title = a.Alert?.Title,
            message = a.Alert?.Message,
            severity = a.Alert?.Severity.ToString().ToLowerInvariant(),
            status = a.Alert?.Status.ToString().ToLowerInvariant(),
            labels = a.Alert?.Labels,
            url = a.Alert is { Url.Length: > 0 } alert ? alert.Url : null,
            firstSeen = a.Alert?.FirstSeen,
            lastSeen = a.Alert?.LastSeen,
            fires = a.Alert?.Fires,
            joinedAt = a.Membership.JoinedAt,
            score = a.Membership.Score,
            reason = a.Membership.Reason,
        }),
        timeline = d.Timeline.Select(e => new
        {
            version = e.Version,
            kind = Kind(e.Kind),
            at = e.At,
            actor = e.Actor,
            text = e.Text,
            alert = e.AlertId.Length == 0 ? null : e.AlertId,
            otherIncident = e.OtherIncident.Length == 0 ? null : e.OtherIncident,
            score = e.Score,
        }),
        goals = d.Goals.Select(g => new
        {
            name = g.GoalName,
            completed = g.Completed,
            failed = g.Failed,
            abandoned = g.Abandoned,
            completionRate = g.CompletionRate,
            durationP95Ms = g.DurationP95Ms,
            cost = g.Cost,
            links = new { runs = $"/api/goals/{Uri.EscapeDataString(g.GoalName)}/runs?outcome=failed" },
        }),
        sampleTraces = d.SampleTraces.Select(t => new
        {
            service = t.Service,
            traceId = t.TraceId,
            span = t.SpanName,
            message = t.StatusMessage,
            at = t.At,
            link = $"/api/traces/{t.TraceId}",
        }),
    };

    /// <summary>Timeline kinds in the API's words: <c>AlertJoined</c> → <c>alert-joined</c>.</summary>
    private static string Kind(IncidentEventKind kind) =>
        string.Concat(kind.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
