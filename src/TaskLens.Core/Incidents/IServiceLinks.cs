namespace TaskLens.Core.Incidents;

/// <summary>Which services are linked by spans (one calls the other), per tenant: correlation's topology.</summary>
public interface IServiceLinks
{
    bool Linked(string tenant, string serviceA, string serviceB);

    /// <summary>Learns the calls of a finished goal run (<see cref="Goals.GoalRun.ServiceCalls"/>).</summary>
    void Observe(string tenant, IReadOnlyList<(string Caller, string Callee)> calls);
}
