namespace TaskLens.AgentSim.Topology;

/// <summary>What a service of a <see cref="ServiceTopology"/> is, which decides its traffic and the alert rules it has.</summary>
internal enum ServiceTier
{
    /// <summary>User-facing: takes requests and calls business services.</summary>
    Edge,
    Business,

    /// <summary>A database that emits server spans (as ClickHouse, CockroachDB and database proxies can).</summary>
    Database,
    Cache,

    /// <summary>Hosts an agent goal: LLM calls through the model gateway and tool calls to a business service.</summary>
    Agent,

    /// <summary>The model provider as the system sees it: an in-house gateway whose outbound calls reach the hosted model.</summary>
    ModelGateway,

    /// <summary>Scheduled jobs querying a database shared with the business services.</summary>
    Batch,

    /// <summary>Services with traffic of their own, outside the request paths (distractors' home).</summary>
    Unrelated,
}
