using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Incidents;

/// <summary>Which services and workloads are linked by spans (calls, and the machines they run on), per tenant: correlation's topology.</summary>
public interface IServiceLinks
{
    bool Linked(string tenant, string serviceA, string serviceB);

    /// <summary>The tenant's topology as correlation reads it: calls, workloads behind service names, machines.</summary>
    WorkloadTopology Topology(string tenant);

    /// <summary>
    /// Makes sure the tenant's calls of recent spans were read from storage once (after a start); never throws for a
    /// failed read (logged, tried again at the next call).
    /// </summary>
    Task LoadAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>Learns the calls of a finished goal run (<see cref="Goals.GoalRun.ServiceCalls"/>).</summary>
    void Observe(string tenant, IReadOnlyList<(string Caller, string Callee)> calls);

    /// <summary>Learns from a stored batch's resources which workload and machine report each <c>service.name</c> (k8s.* attributes).</summary>
    void ObserveResources(SpanBatch batch);
}
