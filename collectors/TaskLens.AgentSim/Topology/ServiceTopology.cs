using System.Globalization;

namespace TaskLens.AgentSim.Topology;

/// <summary>
/// A small production system: two edges calling three business services, each business service calling a database
/// (and sometimes a cache); an agent hosting one goal, calling the model gateway for LLM calls and a business service for
/// tools; a batch service sharing the first database; and three services outside the request paths, some of which a
/// business service calls now and then. Names, shares and latencies are drawn from the seed.
/// </summary>
internal sealed class ServiceTopology
{
    private static readonly string[] EdgeNames = ["web", "mobile-api", "api-gateway", "partner-api"];
    private static readonly string[] BusinessNames = ["checkout", "orders", "search", "profile", "billing", "catalog", "shipping", "recommendations"];
    private static readonly string[] DatabaseNames = ["orders-db", "billing-db", "catalog-db", "users-db"];
    private static readonly string[] CacheNames = ["session-cache", "price-cache"];
    private static readonly (string Agent, string Goal)[] AgentNames = [("support-agent", "support-reply"), ("research-agent", "research-brief"), ("triage-agent", "ticket-triage")];
    private static readonly string[] GatewayNames = ["llm-gateway", "model-router", "inference-proxy"];
    private static readonly string[] BatchNames = ["report-batch", "etl-nightly", "search-indexer"];
    private static readonly string[] UnrelatedNames = ["ci-runner", "mailer", "backup-cron", "metrics-exporter", "ldap-sync", "report-archiver"];

    private readonly Dictionary<string, SimService> _services;
    private readonly Dictionary<string, List<(string Callee, double Share)>> _calls;

    private ServiceTopology(List<SimService> services, Dictionary<string, List<(string Callee, double Share)>> calls)
    {
        _services = services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        _calls = calls;
        Services = services;
    }

    public IReadOnlyList<SimService> Services { get; }

    public IReadOnlyList<string> Edges => Of(ServiceTier.Edge);
    public IReadOnlyList<string> Business => Of(ServiceTier.Business);
    public IReadOnlyList<string> Databases => Of(ServiceTier.Database);
    public IReadOnlyList<string> Unrelated => Of(ServiceTier.Unrelated);
    public string Cache => Of(ServiceTier.Cache)[0];
    public string Agent => Of(ServiceTier.Agent)[0];
    public string Gateway => Of(ServiceTier.ModelGateway)[0];
    public string Batch => Of(ServiceTier.Batch)[0];

    /// <summary>The goal the agent runs (its <c>gen_ai.agent.name</c>).</summary>
    public required string Goal { get; init; }

    public SimService this[string name] => _services[name];

    /// <summary>Whom a service calls, each with the share of its requests that make the call.</summary>
    public IReadOnlyList<(string Callee, double Share)> CallsOf(string service) => _calls.TryGetValue(service, out var c) ? c : [];

    /// <summary>The services that call <paramref name="service"/>.</summary>
    public IEnumerable<string> CallersOf(string service) => _calls.Where(c => c.Value.Any(l => l.Callee == service)).Select(c => c.Key);

    public static ServiceTopology Create(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        List<string> Draw(string[] names, int count) => names.OrderBy(_ => random.Next()).Take(count).ToList();
        string Version() => string.Create(CultureInfo.InvariantCulture, $"{1 + random.Next(3)}.{random.Next(20)}.{random.Next(10)}");
        var services = new List<SimService>();
        void Add(IEnumerable<string> names, ServiceTier tier, double latencyMs, double spreadMs)
        {
            foreach (var name in names)
            {
                services.Add(new SimService(name, tier, latencyMs + (random.NextDouble() * spreadMs), Version()));
            }
        }

        var edges = Draw(EdgeNames, 2);
        var business = Draw(BusinessNames, 3);
        var dbs = Draw(DatabaseNames, 2);
        var cache = Draw(CacheNames, 1);
        var (agent, goal) = AgentNames[random.Next(AgentNames.Length)];
        var unrelated = Draw(UnrelatedNames, 3);
        Add(edges, ServiceTier.Edge, 8, 10);
        Add(business, ServiceTier.Business, 15, 25);
        Add(dbs, ServiceTier.Database, 3, 6);
        Add(cache, ServiceTier.Cache, 0.5, 1);
        Add([agent], ServiceTier.Agent, 20, 20);
        Add(Draw(GatewayNames, 1), ServiceTier.ModelGateway, 400, 400);
        Add(Draw(BatchNames, 1), ServiceTier.Batch, 30, 30);
        Add(unrelated, ServiceTier.Unrelated, 20, 40);

        var calls = new Dictionary<string, List<(string Callee, double Share)>>(StringComparer.Ordinal);
        void Call(string caller, string callee, double share)
        {
            if (!calls.TryGetValue(caller, out var list))
            {
                calls[caller] = list = [];
            }

            list.Add((callee, share));
        }

        foreach (var edge in edges)
        {
            var called = business.Where(_ => random.NextDouble() < 0.75).ToList();
            foreach (var b in called.Count > 0 ? called : [business[random.Next(business.Count)]])
            {
                Call(edge, b, 0.4 + (random.NextDouble() * 0.6));
            }
        }

        // The first business service uses the first database, which the batch service shares.
        for (var i = 0; i < business.Count; i++)
        {
            Call(business[i], i == 0 ? dbs[0] : dbs[random.Next(dbs.Count)], 0.8 + (random.NextDouble() * 0.2));
            if (random.NextDouble() < 0.6)
            {
                Call(business[i], cache[0], 0.5 + (random.NextDouble() * 0.5));
            }
        }

        if (!calls.Values.Any(l => l.Any(c => c.Callee == cache[0])))
        {
            Call(business[random.Next(business.Count)], cache[0], 0.7);
        }

        var gateway = services.First(s => s.Tier == ServiceTier.ModelGateway).Name;
        Call(agent, gateway, 1);
        Call(agent, business[0], 1);
        Call(services.First(s => s.Tier == ServiceTier.Batch).Name, dbs[0], 1);
        foreach (var u in unrelated.Where(_ => random.NextDouble() < 0.4))
        {
            Call(business[random.Next(business.Count)], u, 0.05);
        }

        return new ServiceTopology(services, calls) { Goal = goal };
    }

    private List<string> Of(ServiceTier tier) => Services.Where(s => s.Tier == tier).Select(s => s.Name).ToList();
}
