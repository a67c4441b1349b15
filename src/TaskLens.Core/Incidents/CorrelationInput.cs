namespace TaskLens.Core.Incidents;

/// <summary>What correlation looks at in an alert: when, its words, and the goal and services it names.</summary>
public sealed record CorrelationInput(string AlertId, string Source, DateTimeOffset Time, string Title, IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>Label names that carry a service across sources' conventions (Prometheus job, Grafana, the events API).</summary>
    public static readonly IReadOnlyList<string> ServiceLabels = ["service", "service_name", "job", "app", "application", "component"];

    /// <summary>Label names that carry a goal (ours: <c>goal</c>).</summary>
    public static readonly IReadOnlyList<string> GoalLabels = ["goal", "tasklens_goal", "goal_name"];

    public string? Service => First(ServiceLabels);

    public string? Goal => First(GoalLabels);

    /// <summary>The workload, machine or service the alert is about (<see cref="Workload.OfLabels"/>), or null.</summary>
    public string? Identity => Workload.OfLabels(Labels);

    /// <summary>The same alert in a later notification has the same key: its source and every label.</summary>
    public string RepeatKey => Source + "|" + string.Join('|', Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "|" + (Labels.ContainsKey("alertname") ? "" : Title);

    private string? First(IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (Labels.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                return value.Trim().ToLowerInvariant();
            }
        }

        return null;
    }
}
