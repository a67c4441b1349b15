namespace TaskLens.Storage.Retention;

/// <summary>
/// How many days each signal is kept (<c>TaskLens:ClickHouse:Retention:*</c>); a signal not set keeps
/// <see cref="ClickHouse.ClickHouseOptions.RetentionDays"/>. Incidents still open, or changed within their limit,
/// are kept with their whole timeline whatever their age.
/// </summary>
public sealed class RetentionDays
{
    public int? Spans { get; set; }

    public int? Logs { get; set; }

    public int? MetricPoints { get; set; }

    public int? GoalRuns { get; set; }

    /// <summary>Detection findings (<c>alerts</c>) and received alerts (<c>alert_events</c>, resolved alert states).</summary>
    public int? Findings { get; set; }

    /// <summary>Closed incidents (state, memberships) and their timelines.</summary>
    public int? Incidents { get; set; }

    /// <summary>Whether the retention job runs on this node (it is safe on several at once).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the retention job runs (it also runs once shortly after start).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<string> Problems()
    {
        foreach (var (name, days) in new[] { ("Spans", Spans), ("Logs", Logs), ("MetricPoints", MetricPoints), ("GoalRuns", GoalRuns), ("Findings", Findings), ("Incidents", Incidents) })
        {
            if (days is < 1)
            {
                yield return $"Retention:{name} must be at least 1 (days).";
            }
        }

        if (Interval < TimeSpan.FromMinutes(1))
        {
            yield return "Retention:Interval must be at least 1 minute.";
        }
    }
}
