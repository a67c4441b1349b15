using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TaskLens.Benchmarks.Incidents;

/// <summary>One labelled alert of a storm: its ground-truth incident is <see cref="Incident"/>.</summary>
internal sealed record StormAlert(string Id, string Source, DateTimeOffset Time, string Title, Dictionary<string, string> Labels, string Incident);

/// <summary>A labelled alert storm: the alerts in time order and the service call graph (caller, callee).</summary>
internal sealed record AlertStorm(string Name, List<string[]> Topology, List<StormAlert> Alerts);

/// <summary>
/// Generates the labelled alert-storm corpus kept in <c>tests/data/alert-storms/</c> (fixed seeds, so it is the same
/// every time): per scenario a few concurrent incidents — each a theme (a database saturating, an LLM provider
/// throttling, …) starting at a root service and spreading to the services that call it — told by Alertmanager,
/// Grafana, the events API and TaskLens itself in their own label conventions; some events name no service at all
/// (only their words tie them to an incident); generic alert names (HighErrorRate, HighLatency) appear in several
/// incidents at once on unrelated services; and noise alerts that belong to no incident (each its own).
/// </summary>
internal static class AlertStormCorpus
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static readonly string[][] Topology =
    [
        ["gateway", "checkout"], ["gateway", "search"], ["gateway", "auth"], ["checkout", "payments"], ["checkout", "orders-db"],
        ["checkout", "inventory"], ["payments", "orders-db"], ["search", "recommendations"], ["recommendations", "vector-store"],
        ["agent-orchestrator", "llm-proxy"], ["agent-orchestrator", "tool-runner"], ["tool-runner", "vector-store"],
        ["notifications", "mail-relay"], ["shipping", "notifications"],
    ];

    private sealed record Theme(string Root, string[] Spread, string? Goal, string[] Names, string[] Phrases);

    private static readonly Theme[] Themes =
    [
        new("orders-db", ["checkout", "payments"], null,
            ["PostgresConnectionsSaturated", "PostgresQueryLatencyHigh", "CheckoutErrors", "PaymentTimeouts", "HighErrorRate", "HighLatency"],
            ["orders-db connection pool exhausted", "postgres connections saturated on orders-db", "slow queries on orders-db", "checkout failing to reach orders-db"]),
        new("llm-proxy", ["agent-orchestrator"], "triage-inbox",
            ["LLMProviderRateLimited", "Provider429Storm", "AgentRetriesHigh", "GoalCompletionDrop", "HighErrorRate"],
            ["llm provider throttling requests 429", "model provider rate limit reached", "agent retries piling up on llm calls", "triage-inbox goals failing to complete"]),
        new("vector-store", ["recommendations", "search"], null,
            ["VectorStoreLatencyHigh", "EmbeddingIndexStale", "SearchSlow", "RecommendationsErrors", "HighLatency"],
            ["vector store queries slow", "embedding index lagging behind", "search results slow to load", "recommendations timing out on vector lookups"]),
        new("auth", ["gateway"], null,
            ["AuthTokenErrors", "LoginFailuresSpike", "GatewayUpstream5xx", "HighErrorRate"],
            ["token validation failing in auth", "users cannot log in", "gateway upstream errors from auth"]),
        new("mail-relay", ["notifications", "shipping"], null,
            ["MailRelayQueueBacklog", "NotificationDelay", "ShippingLabelEmailsLate", "QueueBacklog"],
            ["mail relay queue backing up", "notifications delayed by mail relay", "shipping emails not sent"]),
        new("tool-runner", ["agent-orchestrator"], "refactor-module",
            ["ToolRunnerSandboxCrash", "ToolCallFailures", "AgentRunawayLoop", "FanOutExplosion"],
            ["tool runner sandbox crashing", "tool calls failing in refactor agents", "agent stuck calling the same tool", "refactor-module goals fanning out"]),
    ];

    private static readonly string[] NoiseNames =
        ["CertificateExpiringSoon", "NTPClockDrift", "BackupJobLate", "CronJobMissed", "DiskInodesLow", "ConfigReloadFailed", "NodeExporterDown", "SwapUsageHigh"];

    private static readonly string[] NoiseServices = ["billing-batch", "metrics-agent", "dns", "backup", "ci-runner", "ldap", "cdn-edge", "feature-flags"];

    public static void Generate(string directory, int scenarios = 6)
    {
        Directory.CreateDirectory(directory);
        for (var s = 1; s <= scenarios; s++)
        {
            var storm = Scenario(s);
            File.WriteAllText(Path.Combine(directory, $"storm-{s:D2}.json"), JsonSerializer.Serialize(storm, Json));
        }
    }

    public static List<AlertStorm> Load(string directory) =>
        Directory.GetFiles(directory, "storm-*.json").Order(StringComparer.Ordinal)
            .Select(f => JsonSerializer.Deserialize<AlertStorm>(File.ReadAllText(f), Json)!)
            .ToList();

    private static AlertStorm Scenario(int seed)
    {
        var random = new Random(seed * 7919);
        var start = new DateTimeOffset(2026, 11, 20, 2, 0, 0, TimeSpan.Zero).AddHours(seed);
        var alerts = new List<StormAlert>();
        var themes = Themes.OrderBy(_ => random.Next()).Take(3 + random.Next(3)).ToList();
        var incident = 0;
        foreach (var theme in themes)
        {
            incident++;
            var begins = start.AddMinutes(random.Next(0, 15));
            var minutes = 5 + random.Next(11);
            var count = 40 + random.Next(81);
            var services = new[] { theme.Root }.Concat(theme.Spread).ToArray();
            for (var i = 0; i < count; i++)
            {
                var time = begins.AddSeconds(random.NextDouble() * minutes * 60);
                var service = services[Math.Min(services.Length - 1, (int)(random.NextDouble() * random.NextDouble() * services.Length * 1.5))];
                alerts.Add(Alert(random, $"incident-{incident}", theme, service, time));
            }
        }

        var noise = 6 + random.Next(10);
        for (var n = 0; n < noise; n++)
        {
            var time = start.AddSeconds(random.NextDouble() * 30 * 60);
            var service = NoiseServices[random.Next(NoiseServices.Length)];
            var name = NoiseNames[random.Next(NoiseNames.Length)];
            alerts.Add(new StormAlert("", "alertmanager", time, name, new() { ["alertname"] = name, ["service"] = service, ["severity"] = "warning" }, $"noise-{n + 1}"));
        }

        alerts = alerts.OrderBy(a => a.Time).Select((a, i) => a with { Id = $"s{seed}-a{i + 1:D4}" }).ToList();
        return new AlertStorm($"storm-{seed:D2}", Topology.ToList(), alerts);
    }

    private static StormAlert Alert(Random random, string incident, Theme theme, string service, DateTimeOffset time)
    {
        var name = theme.Names[random.Next(theme.Names.Length)];
        var roll = random.NextDouble();
        if (roll < 0.4)
        {
            // Alertmanager: alertname, and the service as `service` or as Prometheus's `job`.
            var labels = new Dictionary<string, string> { ["alertname"] = name, [random.Next(2) == 0 ? "service" : "job"] = service, ["severity"] = random.Next(3) == 0 ? "critical" : "warning" };
            labels["instance"] = $"{service}-{random.Next(1, 4)}:9100";
            return new StormAlert("", "alertmanager", time, name, labels, incident);
        }

        if (roll < 0.6)
        {
            return new StormAlert("", "grafana", time, name, new() { ["alertname"] = name, ["service"] = service, ["grafana_folder"] = "prod" }, incident);
        }

        if (roll < 0.85)
        {
            // The events API: a sentence; a third of them name no service, only their words tie them to the incident.
            var phrase = theme.Phrases[random.Next(theme.Phrases.Length)];
            var labels = new Dictionary<string, string> { ["source"] = $"{service}-host-{random.Next(1, 9)}" };
            if (random.Next(3) != 0)
            {
                labels["component"] = service;
            }

            return new StormAlert("", "events", time, phrase, labels, incident);
        }

        // TaskLens's own detection: a goal series when the theme has a goal (with the service its runs start in, as
        // goal alerts carry), else the service's RED series.
        if (theme.Goal is { } goal && random.Next(2) == 0)
        {
            return new StormAlert("", "tasklens", time, string.Create(CultureInfo.InvariantCulture, $"Goal '{goal}': completion rate dropped"),
                new() { ["goal"] = goal, ["service"] = "agent-orchestrator", ["metric"] = "completion_rate", ["detector"] = "robust-seasonal" }, incident);
        }

        return new StormAlert("", "tasklens", time, $"Service '{service}': error rate rose", new() { ["service"] = service, ["metric"] = "error_rate", ["detector"] = "cusum" }, incident);
    }
}
