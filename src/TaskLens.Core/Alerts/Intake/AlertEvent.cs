namespace TaskLens.Core.Alerts.Intake;

/// <summary>What an alert source says happened to one alert: it fires (again), is acknowledged, or is resolved.</summary>
public enum AlertAction
{
    Trigger = 1,
    Acknowledge = 2,
    Resolve = 3,
}

/// <summary>
/// One notification about one alert from any source (Alertmanager, Grafana, the events API, TaskLens's own detection),
/// in one shape. <see cref="Fingerprint"/> identifies the alert within its source and tenant: the source's own when it
/// has one, else computed from the alert's identifying labels.
/// </summary>
public sealed record AlertEvent
{
    public required string Tenant { get; init; }

    /// <summary><c>alertmanager</c>, <c>grafana</c>, <c>events</c> or <c>tasklens</c>.</summary>
    public required string Source { get; init; }
    public required string Fingerprint { get; init; }
    public required AlertAction Action { get; init; }
    public required string Title { get; init; }
    public string Message { get; init; } = "";
    public AlertSeverity Severity { get; init; } = AlertSeverity.Warning;
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>When the source says the alert started firing (its own clock).</summary>
    public DateTimeOffset StartsAt { get; init; }

    /// <summary>Where the source points for detail (generator, dashboard or panel URL); empty when none.</summary>
    public string Url { get; init; } = "";
    public required DateTimeOffset ReceivedAt { get; init; }
}
