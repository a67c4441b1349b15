namespace TaskLens.AgentSim.Topology;

/// <summary>
/// An alert as Alertmanager would send it: its labels and summary, and when it started firing.
/// <see cref="Distractor"/> is for the evaluation's bookkeeping only and is never sent.
/// </summary>
internal sealed record SimAlert(IReadOnlyDictionary<string, string> Labels, string Summary, DateTimeOffset StartsAt, bool Distractor)
{
    public string Name => Labels["alertname"];
}
