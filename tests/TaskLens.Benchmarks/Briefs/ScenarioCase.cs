using TaskLens.AgentSim.Topology;
using TaskLens.Briefs.Facts;
using TaskLens.Core.Briefs;

namespace TaskLens.Benchmarks.Briefs;

/// <summary>
/// One scenario after it went through TaskLens: the incident its fault's alerts landed in, the evidence the brief
/// reads for it (through the production collector), and what the production brief ranked first.
/// </summary>
internal sealed record ScenarioCase(
    OriginScenario Scenario,
    string Tenant,
    string IncidentId,
    int Incidents,
    int FaultAlerts,
    int DistractorAlertsJoined,
    IncidentEvidence Evidence,
    IReadOnlyList<ErrorTemplate> Templates,
    IReadOnlyList<GoalImpact> Goals,
    string? ProductionFirst)
{
    public string Kind => Scenario.Kind;
    public int Seed => Scenario.Seed;
    public string Origin => Scenario.Origin.ToLowerInvariant();

    /// <summary>Whether the scenario is of the reported part (<see cref="OriginEvaluation.ReportedSeeds"/>), else of the tuning part.</summary>
    public bool Reported => OriginEvaluation.ReportedSeeds.Contains(Seed);
}
