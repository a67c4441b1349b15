namespace TaskLens.Benchmarks.Incidents;

/// <summary>
/// How the corpus's alerts reach the correlator: rules that fire after their <c>for:</c>, notifications sent as they
/// happen (events, TaskLens's own), and Alertmanager's grouping, waits and repeats for the rule alerts.
/// </summary>
internal static partial class ClusterStormCorpus
{
    /// <summary>Alertmanager's timing in kube-prometheus's configuration (<c>alertmanager-secret.yaml</c>); Grafana's default policy repeats every 4 h.</summary>
    private static readonly TimeSpan GroupWait = TimeSpan.FromSeconds(30), GroupInterval = TimeSpan.FromMinutes(5),
        RepeatInterval = TimeSpan.FromHours(12), GrafanaRepeatInterval = TimeSpan.FromHours(4);

    /// <summary>
    /// A rule's alert: its condition holds from <paramref name="at"/> for <paramref name="minutes"/>; it fires once the
    /// condition held for the rule's <c>for:</c> (<paramref name="hold"/> minutes, at the next evaluation), and not at all if
    /// the condition ends first.
    /// </summary>
    private static void Rule(Storm storm, string truth, DateTimeOffset at, int minutes, int hold, (string Source, string Title, Dictionary<string, string> Labels) alert)
    {
        var evaluation = storm.Random.Next(0, 30);
        if (minutes <= hold)
        {
            return;
        }

        storm.Firings.Add(new RuleFiring(alert.Source, alert.Title, alert.Labels, truth, at.AddMinutes(hold).AddSeconds(evaluation), at.AddMinutes(minutes).AddSeconds(evaluation)));
    }

    /// <summary>
    /// A notification sent as it happens (an event, a TaskLens detection): at <paramref name="at"/>, again every five
    /// minutes while it lasts (a recurring event's count rising), then resolved.
    /// </summary>
    private static void Send(Storm storm, string truth, DateTimeOffset at, int minutes, (string Source, string Title, Dictionary<string, string> Labels) alert)
    {
        var end = at.AddMinutes(Math.Max(1, minutes));
        for (var time = at.AddSeconds(storm.Random.Next(0, 60)); time < end; time = time.AddMinutes(5))
        {
            storm.Alerts.Add(new StormAlert("", alert.Source, "firing", time, alert.Title, new Dictionary<string, string>(alert.Labels), truth));
        }

        storm.Alerts.Add(new StormAlert("", alert.Source, "resolved", end, alert.Title, new Dictionary<string, string>(alert.Labels), truth));
    }

    /// <summary>
    /// Sends the rule alerts as Alertmanager does. kube-prometheus routes by <c>namespace</c> (the Watchdog and critical
    /// alerts on routes of their own); Grafana's default policy by folder and rule name. A group is first sent
    /// <c>group_wait</c> after its first alert; then at each <c>group_interval</c> tick only when an alert joined or
    /// resolved since the last notification (or <c>repeat_interval</c> passed), each time with every alert of the group
    /// — firing ones again, resolved ones once. A group left with no alert ends; a later alert starts a new one.
    /// </summary>
    private static void Notify(Storm storm)
    {
        foreach (var group in storm.Firings.GroupBy(Route, StringComparer.Ordinal))
        {
            var repeat = group.Key.StartsWith("grafana|", StringComparison.Ordinal) ? GrafanaRepeatInterval : RepeatInterval;
            var alerts = group.OrderBy(f => f.From).ToList();
            var sent = new HashSet<RuleFiring>(ReferenceEqualityComparer.Instance);
            var done = new HashSet<RuleFiring>(ReferenceEqualityComparer.Instance);
            var flush = alerts[0].From + GroupWait;
            var last = DateTimeOffset.MinValue;
            while (flush < storm.Start + Horizon)
            {
                var present = alerts.Where(f => f.From <= flush && !done.Contains(f)).ToList();
                if (present.Count == 0)
                {
                    var next = alerts.Find(f => !done.Contains(f));
                    if (next is null)
                    {
                        break;
                    }

                    (flush, last) = (next.From + GroupWait, DateTimeOffset.MinValue);
                    continue;
                }

                var firing = present.Where(f => f.To > flush).ToList();
                var resolved = present.Where(f => f.To <= flush).ToList();
                if (resolved.Count > 0 || firing.Exists(f => !sent.Contains(f)) || flush - last >= repeat)
                {
                    foreach (var f in firing)
                    {
                        storm.Alerts.Add(new StormAlert("", f.Source, "firing", flush, f.Title, new Dictionary<string, string>(f.Labels), f.Truth));
                        sent.Add(f);
                    }

                    foreach (var f in resolved)
                    {
                        storm.Alerts.Add(new StormAlert("", f.Source, "resolved", flush, f.Title, new Dictionary<string, string>(f.Labels), f.Truth));
                        done.Add(f);
                    }

                    last = flush;
                }

                flush += GroupInterval;
            }
        }
    }

    /// <summary>The Alertmanager group an alert is sent in: its route and the route's <c>group_by</c> labels.</summary>
    private static string Route(RuleFiring alert)
    {
        if (alert.Source == "grafana")
        {
            return $"grafana|{alert.Labels.GetValueOrDefault("grafana_folder")}|{alert.Labels.GetValueOrDefault("alertname")}";
        }

        var route = alert.Labels.GetValueOrDefault("alertname") == "Watchdog" ? "watchdog" : alert.Labels.GetValueOrDefault("severity") == "critical" ? "critical" : "default";
        return $"{route}|{alert.Labels.GetValueOrDefault("namespace")}";
    }
}
