namespace TaskLens.AgentSim.Topology;

/// <summary>One service of a topology: its tier, its own time per request and the version it runs before any deploy.</summary>
internal sealed record SimService(string Name, ServiceTier Tier, double LatencyMs, string Version);
