namespace TaskLens.AgentSim.Topology;

/// <summary>
/// A fault injected into one service's own work from minute <paramref name="From"/> to <paramref name="To"/> (relative to
/// the scenario's fault start): a share of its requests fail with <paramref name="Message"/>, and its own time is
/// multiplied by <paramref name="LatencyFactor"/>.
/// </summary>
internal sealed record ServiceFault(string Service, double From, double To, double ErrorRate, double LatencyFactor, string? Message)
{
    public bool ActiveAt(double minute) => minute >= From && minute < To;
}
