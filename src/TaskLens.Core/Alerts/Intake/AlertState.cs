namespace TaskLens.Core.Alerts.Intake;

public enum AlertStateStatus
{
    Firing = 1,
    Acknowledged = 2,
    Resolved = 3,
}

/// <summary>
/// The current state of one deduplicated alert (per tenant, source and fingerprint): the latest title, message,
/// severity and labels, when it was first and last heard of, how many times it fired (a trigger after a resolve
/// counts again; a source repeating a firing alert does not), how many events it got, and a version that grows with
/// every change.
/// </summary>
public sealed record AlertState
{
    public required string Tenant { get; init; }
    public required string Source { get; init; }
    public required string Fingerprint { get; init; }
    public required AlertStateStatus Status { get; init; }
    public required string Title { get; init; }
    public string Message { get; init; } = "";
    public AlertSeverity Severity { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public string Url { get; init; } = "";
    public required DateTimeOffset FirstSeen { get; init; }
    public required DateTimeOffset LastSeen { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public int Fires { get; init; }
    public int Events { get; init; }
    public long Version { get; init; }
}
