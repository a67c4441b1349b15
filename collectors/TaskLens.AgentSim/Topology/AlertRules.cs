namespace TaskLens.AgentSim.Topology;

/// <summary>
/// The monitoring of a scenario's system: alert rules of the kinds teams write (error rate, p95 latency, request rate,
/// an SLO burn on edges, goal cost and completion), evaluated minute by minute over what the simulator emitted, each
/// firing once. Which service has which rule is drawn from the seed, as coverage is in practice: edges and business
/// services are watched closely, databases, caches and the gateway less, batch jobs seldom; every goal is watched.
/// Plus the distractors' alerts that telemetry does not show.
/// </summary>
internal static class AlertRules
{
    /// <summary>Minutes before the fault from which rules may fire (earlier ones are the normal the rules compare with).</summary>
    private const int EvaluateFrom = -10;

    public static IReadOnlyList<SimAlert> Evaluate(OriginScenario scenario, SimFigures figures, DateTimeOffset faultStart)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(figures);
        var random = new Random((scenario.Seed * 31) + Array.IndexOf(OriginScenario.Kinds, scenario.Kind) + 17);
        var alerts = new List<SimAlert>();
        var normalTo = -15;
        foreach (var service in scenario.Topology.Services)
        {
            var name = service.Name;
            var distractor = scenario.Distractors.Contains(name);
            var rules = service.Tier switch
            {
                ServiceTier.Edge => new[] { ("HighErrorRate", 0.95), ("HighLatency", 0.9), ("ErrorBudgetBurn", 0.8) },
                ServiceTier.Business => [("HighErrorRate", 0.85), ("HighLatency", 0.8)],
                ServiceTier.Database or ServiceTier.Cache => [("HighErrorRate", 0.5), ("HighLatency", 0.5)],
                ServiceTier.Agent => [("HighErrorRate", 0.8), ("HighRequestRate", 0.5)],
                ServiceTier.ModelGateway => [("HighErrorRate", 0.5), ("HighLatency", 0.5)],
                ServiceTier.Batch => [("HighRequestRate", 0.3)],
                _ => [("HighErrorRate", 0.7)],
            };
            var minutes = Enumerable.Range(-scenario.HistoryMinutes, scenario.HistoryMinutes + scenario.FaultMinutes).ToList();
            var normal = minutes.Where(m => m < normalTo).Select(m => figures.Of(name, m)).ToList();
            var normalRequests = normal.Average(f => f.Requests);
            var normalP95 = Median(normal.Where(f => f.Requests > 0).Select(f => f.P95Ms));
            foreach (var (rule, coverage) in rules)
            {
                // A service in trouble of its own is one its team watches: every distractor has its error rule.
                if (random.NextDouble() >= (distractor ? 1 : coverage))
                {
                    continue;
                }

                bool Breached(int m)
                {
                    var f = figures.Of(name, m);
                    return rule switch
                    {
                        "HighErrorRate" => f.Errors >= 3 && f.Errors >= 0.05 * f.Requests,
                        "HighLatency" => f.Requests >= 3 && f.P95Ms >= Math.Max(2 * normalP95, normalP95 + 100),
                        "HighRequestRate" => f.Requests >= Math.Max(3 * normalRequests, normalRequests + 30),
                        _ => Enumerable.Range(m - 4, 5).Sum(x => figures.Of(name, x).Errors) >= 0.03 * Math.Max(1, Enumerable.Range(m - 4, 5).Sum(x => figures.Of(name, x).Requests)),
                    };
                }

                // "for: 2m" on error and latency rules, 1m on the others.
                var hold = rule is "HighErrorRate" or "HighLatency" ? 2 : 1;
                if (FirstFiring(minutes, EvaluateFrom, hold, Breached) is { } at)
                {
                    var severity = rule == "ErrorBudgetBurn" ? "critical" : "warning";
                    alerts.Add(Alert(rule, ("service", name), severity, $"{name}: {Describe(rule)}", faultStart, at, random, distractor));
                }
            }
        }

        GoalAlerts(scenario, figures, faultStart, random, normalTo, alerts);
        foreach (var d in scenario.DistractorAlerts)
        {
            alerts.Add(Alert(d.AlertName, ("service", d.Service), "warning", d.Summary, faultStart, d.Minute, random, distractor: true));
        }

        return alerts.Where(a => a.StartsAt < faultStart.AddMinutes(scenario.FaultMinutes)).OrderBy(a => a.StartsAt).ToList();
    }

    private static void GoalAlerts(OriginScenario scenario, SimFigures figures, DateTimeOffset faultStart, Random random, int normalTo, List<SimAlert> alerts)
    {
        var goal = scenario.Topology.Goal;
        var minutes = Enumerable.Range(-scenario.HistoryMinutes, scenario.HistoryMinutes + scenario.FaultMinutes).ToList();
        var normalCost = minutes.Where(m => m < normalTo).Average(m => figures.Goal(m).Cost);
        // Every goal is watched (TaskLens's own detection watches each goal's completion and cost).
        if (FirstFiring(minutes, EvaluateFrom, 2, m => figures.Goal(m).Cost >= 3 * normalCost) is { } costAt)
        {
            alerts.Add(Alert("GoalCostHigh", ("goal", goal), "warning", $"goal {goal}: cost per minute above 3x normal", faultStart, costAt, random, false, "cost"));
        }

        if (FirstFiring(minutes, EvaluateFrom, 1, m =>
            {
                var window = Enumerable.Range(m - 2, 3).Select(figures.Goal).ToList();
                return window.Sum(g => g.Runs) >= 3 && window.Sum(g => g.Failed) >= 0.25 * window.Sum(g => g.Runs);
            }) is { } completionAt)
        {
            alerts.Add(Alert("GoalCompletionLow", ("goal", goal), "critical", $"goal {goal}: completion rate below 75%", faultStart, completionAt, random, false, "completion_rate"));
        }
    }

    /// <summary>The minute a rule starts firing: the end of the first run of <paramref name="hold"/> breached minutes from <paramref name="from"/> on.</summary>
    private static double? FirstFiring(List<int> minutes, int from, int hold, Func<int, bool> breached)
    {
        var run = 0;
        foreach (var m in minutes.Where(m => m >= from - hold))
        {
            run = breached(m) ? run + 1 : 0;
            if (run >= hold && m + 1 >= from)
            {
                return m + 1;
            }
        }

        return null;
    }

    private static SimAlert Alert(
        string rule, (string Key, string Value) subject, string severity, string summary, DateTimeOffset faultStart, double minute, Random random, bool distractor,
        string? metric = null)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["alertname"] = rule, [subject.Key] = subject.Value, ["severity"] = severity };
        if (metric is not null)
        {
            labels["metric"] = metric;
        }

        // Rules are evaluated every 30 s, so an alert starts up to half a minute after its condition.
        var startsAt = faultStart.AddMinutes(minute).AddSeconds(random.Next(30));
        return new SimAlert(labels, summary, startsAt, distractor);
    }

    private static string Describe(string rule) => rule switch
    {
        "HighErrorRate" => "error rate above 5%",
        "HighLatency" => "p95 latency above twice its normal",
        "HighRequestRate" => "request rate above 3x normal",
        _ => "error budget burning fast",
    };

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }
}
