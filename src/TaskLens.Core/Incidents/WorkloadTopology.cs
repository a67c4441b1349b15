namespace TaskLens.Core.Incidents;

/// <summary>
/// The topology hint correlation reads, learnt from spans' resource attributes: which workloads call which, which
/// machine each runs on, and which <c>service.name</c> each workload reports (so an alert naming only the service is
/// read as that workload, when only one workload reports it). Not thread-safe.
/// </summary>
public sealed class WorkloadTopology
{
    private readonly HashSet<(string, string)> _links = [];
    private readonly Dictionary<string, HashSet<string>> _serviceWorkloads = new(StringComparer.Ordinal);

    /// <summary>Learns one call between two sides, each described by its resource attributes.</summary>
    public void ObserveCall(IReadOnlyDictionary<string, string> caller, IReadOnlyDictionary<string, string> callee)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(callee);
        var (a, b) = (Learn(caller), Learn(callee));
        if (a is not null && b is not null && a != b)
        {
            _links.Add((a, b));
            _links.Add((b, a));
        }
    }

    /// <summary>Whether two identities are linked: one calls the other, or one is the machine the other runs on.</summary>
    public bool Linked(string a, string b) => _links.Contains((Canonical(a), Canonical(b)));

    /// <summary>The workload a bare service name stands for, when exactly one reports it; else the name itself.</summary>
    public string Canonical(string identity) =>
        _serviceWorkloads.TryGetValue(identity, out var workloads) && workloads.Count == 1 ? workloads.First() : identity;

    private string? Learn(IReadOnlyDictionary<string, string> resource)
    {
        var identity = Workload.OfResource(resource);
        if (identity is null)
        {
            return null;
        }

        if (resource.TryGetValue("service.name", out var service) && !string.IsNullOrWhiteSpace(service))
        {
            var name = service.Trim().ToLowerInvariant();
            if (!_serviceWorkloads.TryGetValue(name, out var workloads))
            {
                _serviceWorkloads[name] = workloads = new HashSet<string>(StringComparer.Ordinal);
            }

            workloads.Add(identity);
        }

        if (resource.TryGetValue("k8s.node.name", out var node) && !string.IsNullOrWhiteSpace(node))
        {
            var machine = Workload.Node(node);
            _links.Add((identity, machine));
            _links.Add((machine, identity));
        }

        return identity;
    }
}
