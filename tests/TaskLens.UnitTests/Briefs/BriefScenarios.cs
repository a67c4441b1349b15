using TaskLens.Core.Alerts;
using TaskLens.Core.Incidents;

namespace TaskLens.UnitTests.Briefs;

/// <summary>The golden tests' incidents: one per kind of origin, each with a distractor alert on an unrelated service.</summary>
internal static class BriefScenarios
{
    public static TheoryData<string> Names() => new(All().Keys);

    public static Dictionary<string, Func<BriefScenario>> All() => new(StringComparer.Ordinal)
    {
        ["failing-dependency"] = FailingDependency,
        ["bad-deploy"] = BadDeploy,
        ["agent-loop"] = AgentLoop,
    };

    /// <summary>payments-db refuses connections; payments, then checkout and the order agent fail; a CI disk alert fired earlier.</summary>
    public static BriefScenario FailingDependency() => new BriefScenario("failing-dependency")
        .Call("web", "checkout").Call("checkout", "payments").Call("payments", "payments-db").Call("checkout", "inventory")
        .Alert("ci1", "DiskFull", -1, service: "ci-runner")
        .Alert("db1", "PaymentsDbConnections", 0.5, service: "payments-db", severity: AlertSeverity.Critical, runbook: "https://runbooks.example.com/payments-db")
        .Alert("pay1", "PaymentsErrors", 1, service: "payments")
        .Alert("co1", "CheckoutErrors", 2, service: "checkout")
        .Alert("co2", "CheckoutLatency", 2, service: "checkout")
        .Alert("goal1", "order-agent completion rate", 3, goal: "order-agent", metric: "completion_rate", source: "tasklens")
        .Triage(IncidentEventKind.Acknowledged, 6, "ana")
        .Service("payments-db", 400, 0, 8, faultFrom: 0, faultErrors: 120, faultP95Ms: 3000)
        .Service("payments", 300, 1, 40, faultFrom: 1, faultErrors: 90)
        .Service("checkout", 300, 1, 60, faultFrom: 2, faultErrors: 80)
        .Service("inventory", 200, 0, 20)
        .Service("ci-runner", 10, 0, 100)
        .Goal("order-agent", 50, 0.97, 0.8, faultFrom: 0, faultRate: 0.4, faultCost: 0.7)
        .Errors("payments-db", "log", "connection to 10.0.4.12:5432 refused (pool exhausted after 30 s)", 700, 0, 19, "0af7651916cd43dd8448eb211c80319c")
        .Errors("payments-db", "log", "connection to 10.0.4.13:5432 refused (pool exhausted after 31 s)", 650, 0.2, 19)
        .Errors("payments", "span", "charge failed: upstream payments-db timeout after 5000 ms", 400, 1, 19, "4bf92f3577b34da6a3ce929d0e0e4736")
        .Errors("checkout", "span", "POST /orders 502", 300, 2, 19)
        .Errors("checkout", "log", "retrying request id=77 attempt 2", 40, -50, 19)
        .Errors("ci-runner", "log", "no space left on device", 10, -1, 5)
        .Sample("order-agent", "4bf92f3577b34da6a3ce929d0e0e4736", "order-agent", "goal run failed", 4)
        .Sample("payments", "0af7651916cd43dd8448eb211c80319c", "charge", "upstream timeout", 3);

    /// <summary>search-api 2.4.0 rolls out and throws; frontend, its caller, errors after it; an unrelated mail alert.</summary>
    public static BriefScenario BadDeploy() => new BriefScenario("bad-deploy", "inc-12")
        .Call("frontend", "search-api").Call("search-api", "search-index").Call("frontend", "profile")
        .Alert("mail1", "MailQueueSlow", 0, service: "mailer")
        .Alert("fe1", "FrontendErrors", 2, service: "frontend", severity: AlertSeverity.Critical)
        .Alert("sa1", "SearchApiErrors", 1, service: "search-api")
        .Service("frontend", 600, 2, 80, faultFrom: 2, faultErrors: 150)
        .Service("search-api", 500, 1, 30, faultFrom: 1, faultErrors: 200)
        .Service("search-index", 500, 0, 5)
        .Service("profile", 300, 0, 12)
        .Version("search-api", "2.3.0", -60, 1)
        .Version("search-api", "2.4.0", 0.5, 19)
        .Version("frontend", "8.1.0", -60, 19)
        .Errors("search-api", "span", "NullReferenceException in QueryParser.Parse at line 212", 900, 1, 19, "5b8efff798038103d269b633813fc60c")
        .Errors("frontend", "span", "GET /search 500", 700, 2, 19)
        .Errors("mailer", "log", "queue depth 5000 above 1000", 5, 0, 10)
        .Sample("search-api", "5b8efff798038103d269b633813fc60c", "GET /search", "NullReferenceException", 2);

    /// <summary>The research agent loops, burning tokens ten times over; the LLM gateway sees the load; an unrelated cron alert.</summary>
    public static BriefScenario AgentLoop() => new BriefScenario("agent-loop", "inc-3")
        .Call("research-agent", "llm-gateway").Call("research-agent", "web-search")
        .Alert("cron1", "BackupLate", -0.5, service: "backup-cron")
        .Alert("g1", "research-agent cost per hour", 0, goal: "research-agent", metric: "cost", source: "tasklens", severity: AlertSeverity.Critical)
        .Alert("g2", "research-agent tokens", 0.5, goal: "research-agent", metric: "tokens", source: "tasklens")
        .Alert("llm1", "LlmGatewayRequestRate", 1, service: "llm-gateway")
        .Service("llm-gateway", 2000, 0, 900, faultFrom: 1, faultErrors: 0, faultP95Ms: 950)
        .Service("web-search", 100, 0, 300)
        .Goal("research-agent", 10, 0.9, 2.0, faultFrom: 0, faultRate: 0.85, faultCost: 20.0)
        .Errors("backup-cron", "log", "backup started late by 12 min", 1, -0.5, -0.5);
}
