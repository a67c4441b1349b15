namespace TaskLens.AgentSim.Topology;

/// <summary>An alert on a service the fault does not touch, not backed by its telemetry (disk, certificates, memory).</summary>
internal sealed record DistractorAlert(string Service, string AlertName, double Minute, string Summary);
