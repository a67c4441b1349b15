using TaskLens.Core.Alerts;
using TaskLens.Core.Incidents;

namespace TaskLens.UnitTests.Slack;

/// <summary>Incidents and timeline entries for the Slack tests.</summary>
internal static class Incidents
{
    public static readonly DateTimeOffset At = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    public static Incident Make(string id = "inc-1", long version = 1, IncidentStatus status = IncidentStatus.Triggered, string title = "Checkout 5xx above 5%") => new()
    {
        Tenant = "default",
        Id = id,
        Title = title,
        Status = status,
        Severity = AlertSeverity.Critical,
        Goals = ["refund-claims"],
        Services = ["checkout"],
        Alerts = 3,
        FiringAlerts = 2,
        OpenedAt = At,
        UpdatedAt = At,
        Version = version,
    };

    public static IncidentEvent Event(IncidentEventKind kind, string actor = "ana", string text = "", string alertId = "", string other = "", long version = 2) => new()
    {
        Tenant = "default",
        IncidentId = "inc-1",
        Version = version,
        Kind = kind,
        At = At,
        Actor = actor,
        Text = text,
        AlertId = alertId,
        OtherIncident = other,
    };
}
