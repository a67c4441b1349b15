using TaskLens.Core.Alerts;
using TaskLens.UnitTests.Briefs;

namespace TaskLens.Benchmarks.Briefs;

/// <summary>
/// Incidents with a known origin over a random service topology (edge services calling business services calling
/// backends and an LLM provider; agent goals hosted by agent services): a failing dependency, a bad deploy, an agent
/// loop burning tokens, a throttled model provider, a slow database and a noisy neighbour. The fault starts at the
/// origin and reaches its callers one to three minutes later, each caller louder in alerts than the origin; the origin
/// itself has no alert in some scenarios. Every scenario has distractor alerts on unrelated services, some firing
/// before the origin, some flapping, some with a fresh error of their own.
/// </summary>
internal static class OriginScenarios
{
    public static readonly string[] Kinds = ["failing-dependency", "bad-deploy", "agent-loop", "throttled-model-provider", "slow-database", "noisy-neighbour"];

    private static readonly string[] Edges = ["web", "mobile-api", "api-gateway", "partner-api"];
    private static readonly string[] Business = ["checkout", "orders", "search", "profile", "billing", "catalog", "shipping", "recommendations"];
    private static readonly string[] Databases = ["orders-db", "billing-db", "catalog-db", "users-db"];
    private static readonly string[] Caches = ["session-cache", "price-cache"];
    private static readonly string[] Agents = ["support-agent", "research-agent", "triage-agent"];
    private static readonly string[] Unrelated = ["ci-runner", "mailer", "backup-cron", "metrics-exporter", "ldap-sync", "report-archiver"];

    public static IEnumerable<(string Kind, int Seed, BriefScenario Scenario, string Origin)> All(int perKind)
    {
        foreach (var kind in Kinds)
        {
            for (var seed = 1; seed <= perKind; seed++)
            {
                var (scenario, origin) = Build(kind, seed);
                yield return (kind, seed, scenario, origin);
            }
        }
    }

    public static (BriefScenario Scenario, string Origin) Build(string kind, int seed)
    {
        var random = new Random((seed * 1000) + Array.IndexOf(Kinds, kind));
        var s = new BriefScenario($"{kind}-{seed}", $"inc-{seed}") { Minutes = 20 };
        string Pick(string[] names) => names[random.Next(names.Length)];

        // The topology: two edges, three business services, two databases, a cache, one agent with its goal and the provider.
        var edges = Edges.OrderBy(_ => random.Next()).Take(2).ToList();
        var business = Business.OrderBy(_ => random.Next()).Take(3).ToList();
        var dbs = Databases.OrderBy(_ => random.Next()).Take(2).ToList();
        var cache = Pick(Caches);
        var agent = Pick(Agents);
        var goal = agent.Replace("-agent", "-goal", StringComparison.Ordinal);
        const string provider = "llm-provider";
        foreach (var edge in edges)
        {
            foreach (var b in business.Where(_ => random.NextDouble() < 0.7).DefaultIfEmpty(business[0]))
            {
                s.Call(edge, b);
            }
        }

        foreach (var b in business)
        {
            s.Call(b, dbs[random.Next(dbs.Count)]);
            if (random.NextDouble() < 0.5)
            {
                s.Call(b, cache);
            }
        }

        s.Call(edges[0], agent).Call(agent, provider).Call(agent, business[0]);
        var all = edges.Concat(business).Concat(dbs).Append(cache).Append(agent).Append(provider).ToList();
        foreach (var service in all)
        {
            s.Service(service, 200 + random.Next(400), random.Next(3), 20 + random.Next(80));
        }

        s.Goal(goal, 20 + random.Next(40), 0.95 + (random.NextDouble() * 0.04), 0.5 + random.NextDouble());
        var alertNo = 0;
        void Alert(string service, double minute, int count, string? metric = null, string? onGoal = null)
        {
            for (var i = 0; i < count; i++)
            {
                s.Alert($"a{++alertNo}", $"{onGoal ?? service} {metric ?? "errors"} {i}", minute + (i * 0.3), service: onGoal is null ? service : null, goal: onGoal,
                    metric: metric, severity: random.NextDouble() < 0.3 ? AlertSeverity.Critical : AlertSeverity.Warning);
            }
        }

        // The victims: callers of the origin, hit later and alerting louder.
        void Victims(string origin, bool latency)
        {
            var hit = new List<string>();
            foreach (var (caller, _) in s.Calls.Where(l => l.Callee == origin && l.Caller != "report-batch").ToList())
            {
                hit.Add(caller);
            }

            foreach (var (victim, i) in hit.Distinct(StringComparer.Ordinal).Select((v, i) => (v, i)))
            {
                var lag = 1 + random.Next(3) + (i * 0.5);
                s.Service(victim, 300, 1, 50, faultFrom: lag, faultErrors: latency ? 1 : 40 + random.Next(80), faultP95Ms: latency ? 900 + random.Next(600) : 0);
                if (!latency)
                {
                    s.Errors(victim, "span", $"upstream {origin} error after {100 + random.Next(900)} ms", 200 + random.Next(500), lag, 19);
                }

                Alert(victim, lag + 0.5, 2 + random.Next(3), latency ? "latency_p95" : null);
            }
        }

        string originName;
        switch (kind)
        {
            case "failing-dependency":
                originName = random.NextDouble() < 0.5 ? dbs[0] : cache;
                s.Call(business[0], originName);
                s.Service(originName, 400, 0, 10, faultFrom: 0, faultErrors: 150 + random.Next(100));
                s.Errors(originName, "log", $"connection to 10.0.{random.Next(9)}.{random.Next(250)}:5432 refused", 500 + random.Next(500), 0, 19);
                Victims(originName, latency: false);
                if (random.NextDouble() < 0.7)
                {
                    Alert(originName, 0.5, 1);
                }

                break;
            case "bad-deploy":
                originName = business[random.Next(business.Count)];
                s.Version(originName, "3.4." + random.Next(9), -60, 0).Version(originName, "3.5.0", -0.5 - random.NextDouble(), 19);
                s.Service(originName, 300, 1, 40, faultFrom: 0, faultErrors: 60 + random.Next(100));
                s.Errors(originName, "span", $"NullReferenceException in {originName}.Handler line {random.Next(400)}", 300 + random.Next(300), 0, 19);
                Victims(originName, latency: false);
                Alert(originName, 0.5 + random.NextDouble(), 1);
                break;
            case "agent-loop":
                originName = goal;
                s.Goal(goal, 10, 0.95, 1.0, faultFrom: 0, faultRate: 0.9, faultCost: 8 + (random.NextDouble() * 10));
                s.Service(agent, 300, 0, 200, faultFrom: 0.5, faultRequests: 2000 + random.Next(2000));
                s.Service(provider, 500, 0, 800, faultFrom: 1, faultP95Ms: 2500);
                Alert(agent, 0.5, 1, "request_rate");
                Alert(provider, 1.5, 2 + random.Next(2), "latency_p95");
                s.Alert($"a{++alertNo}", $"{goal} cost", random.NextDouble() * 2, goal: goal, metric: "cost", source: "tasklens");
                break;
            case "throttled-model-provider":
                originName = provider;
                s.Service(provider, 500, 0, 800, faultFrom: 0, faultErrors: 200 + random.Next(200));
                s.Errors(provider, "span", "429 Too Many Requests: rate limit exceeded for model gpt-4o", 800 + random.Next(400), 0, 19);
                s.Service(agent, 300, 0, 200, faultFrom: 1, faultErrors: 60);
                s.Errors(agent, "log", $"LLM call failed after {3 + random.Next(3)} retries", 200, 1, 19);
                s.Goal(goal, 30, 0.96, 1.0, faultFrom: 0, faultRate: 0.5, faultCost: 1.0);
                Alert(agent, 1.5, 2 + random.Next(2));
                s.Alert($"a{++alertNo}", $"{goal} completion rate", 2, goal: goal, metric: "completion_rate", source: "tasklens");
                if (random.NextDouble() < 0.6)
                {
                    Alert(provider, 0.5, 1, "throttled");
                }

                break;
            case "slow-database":
                originName = dbs[0];
                s.Service(originName, 400, 0, 8, faultFrom: 0, faultP95Ms: 1200 + random.Next(2000));
                Victims(originName, latency: true);
                if (random.NextDouble() < 0.6)
                {
                    Alert(originName, 0.5, 1, "latency_p95");
                }

                break;
            default: // noisy neighbour: a batch service floods a shared database; the database and its other callers slow down.
                originName = "report-batch";
                s.Call(originName, dbs[0]);
                s.Service(originName, 50, 0, 100, faultFrom: -1, faultRequests: 3000 + random.Next(3000));
                s.Service(dbs[0], 400, 0, 8, faultFrom: 0.5, faultP95Ms: 900 + random.Next(900));
                Victims(dbs[0], latency: true);
                Alert(dbs[0], 1, 1 + random.Next(2), "latency_p95");
                Alert(originName, 0, 1, "request_rate");
                break;
        }

        // Distractors: unrelated services, some alerting before the origin, some flapping, some with a fresh error.
        foreach (var distractor in Unrelated.OrderBy(_ => random.Next()).Take(1 + random.Next(3)))
        {
            var at = -3 + (random.NextDouble() * 8);
            s.Service(distractor, 20 + random.Next(50), 0, 100 + random.Next(100));
            if (random.NextDouble() < 0.4)
            {
                // Not every distractor is off the graph: some are called by a service the incident touches.
                s.Call(random.NextDouble() < 0.5 ? edges[1] : business[random.Next(business.Count)], distractor);
            }

            Alert(distractor, at, random.NextDouble() < 0.4 ? 4 + random.Next(3) : 1);
            if (random.NextDouble() < 0.5)
            {
                s.Errors(distractor, "log", $"{distractor} disk usage {80 + random.Next(20)}% above threshold", 5 + random.Next(30), at, 19);
            }
        }

        return (s, originName);
    }

}
