namespace TaskLens.Core.Incidents;

/// <summary>
/// The topology hint correlation reads, learnt from spans: which workloads call which, which machine each runs on, and
/// which <c>service.name</c> each workload reports — so an alert naming only the service is read as that workload (as
/// any of them, when several report it), and a call seen between two service names links their workloads. Learnt from
/// whole calls described by both sides' resource attributes (<see cref="ObserveCall(IReadOnlyDictionary{string, string}, IReadOnlyDictionary{string, string}, DateTimeOffset)"/>),
/// or, on the live path, from calls between service names (a finished run's) plus each resource seen
/// (<see cref="ObserveResource"/>). What is not seen again is forgotten by <see cref="Prune"/>. Thread-safe.
/// </summary>
public sealed class WorkloadTopology
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _callees = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _callers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _workloadsOfService = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _servicesOfWorkload = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _machines = new(StringComparer.Ordinal);

    /// <summary>Per workload, the pod-template hashes of the pods seen serving (reporting spans).</summary>
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _serving = new(StringComparer.Ordinal);

    /// <summary>Learns one call between two sides, each described by its resource attributes.</summary>
    public void ObserveCall(IReadOnlyDictionary<string, string> caller, IReadOnlyDictionary<string, string> callee, DateTimeOffset seen = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(callee);
        var (a, b) = (ObserveResource(caller, seen), ObserveResource(callee, seen));
        if (a is not null && b is not null)
        {
            ObserveCall(a, b, seen);
        }
    }

    /// <summary>Learns one call between two names (identities, or bare <c>service.name</c>s as a run's spans show them).</summary>
    public void ObserveCall(string caller, string callee, DateTimeOffset seen = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(callee);
        var (a, b) = (caller.Trim().ToLowerInvariant(), callee.Trim().ToLowerInvariant());
        if (a.Length == 0 || b.Length == 0 || a == b)
        {
            return;
        }

        lock (_gate)
        {
            Add(_callees, a, b, seen);
            Add(_callers, b, a, seen);
        }
    }

    /// <summary>Learns what one resource says: its workload, the service.name it reports and the machine it runs on. Returns its identity.</summary>
    public string? ObserveResource(IReadOnlyDictionary<string, string> resource, DateTimeOffset seen = default)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var identity = Workload.OfResource(resource);
        if (identity is null)
        {
            return null;
        }

        lock (_gate)
        {
            if (resource.TryGetValue("service.name", out var service) && !string.IsNullOrWhiteSpace(service))
            {
                var name = service.Trim().ToLowerInvariant();
                if (name != identity)
                {
                    Add(_workloadsOfService, name, identity, seen);
                    Add(_servicesOfWorkload, identity, name, seen);
                }
            }

            if (resource.TryGetValue("k8s.pod.name", out var pod) && Workload.TemplateHashOfPod(pod) is { } hash)
            {
                Add(_serving, identity, hash, seen);
            }

            if (resource.TryGetValue("k8s.node.name", out var node) && !string.IsNullOrWhiteSpace(node))
            {
                var machine = Workload.Node(node);
                Add(_machines, identity, machine, seen);
                Add(_machines, machine, identity, seen);
            }
        }

        return identity;
    }

    /// <summary>Forgets what was last seen before <paramref name="before"/>.</summary>
    public void Prune(DateTimeOffset before)
    {
        lock (_gate)
        {
            foreach (var map in new[] { _callees, _callers, _workloadsOfService, _servicesOfWorkload, _machines, _serving })
            {
                foreach (var (key, targets) in map.ToList())
                {
                    foreach (var (target, seen) in targets.ToList())
                    {
                        if (seen < before)
                        {
                            targets.Remove(target);
                        }
                    }

                    if (targets.Count == 0)
                    {
                        map.Remove(key);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Whether pods of the workload's ReplicaSet with this pod-template hash were seen serving (in spans); null when no
    /// pod of the workload was seen. A hash never seen serving while others were is a rollout's new pods.
    /// </summary>
    public bool? Serves(string identity, string hash)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(hash);
        lock (_gate)
        {
            return _serving.TryGetValue(identity, out var hashes) ? hashes.ContainsKey(hash) : null;
        }
    }

    /// <summary>The workloads a bare service name stands for (every workload reporting it); any other identity is itself.</summary>
    public IReadOnlyList<string> Resolve(string identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        lock (_gate)
        {
            return _workloadsOfService.TryGetValue(identity, out var workloads) && workloads.Count > 0 ? [.. workloads.Keys.Order(StringComparer.Ordinal)] : [identity];
        }
    }

    /// <summary>The workload a bare service name stands for, when exactly one reports it; else the name itself.</summary>
    public string Canonical(string identity) => Resolve(identity) is [var one] ? one : identity;

    /// <summary>Whether two identities are linked: one calls the other, or one is the machine the other runs on.</summary>
    public bool Linked(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        lock (_gate)
        {
            var (left, right) = (Names(a), Names(b));
            return left.Any(x => _machines.TryGetValue(x, out var m) && right.Overlaps(m.Keys)) || Reaches(left, right, 1) || Reaches(right, left, 1);
        }
    }

    /// <summary>Whether <paramref name="caller"/> depends on <paramref name="callee"/>: calls it, or calls what does, within <paramref name="hops"/> calls.</summary>
    public bool DependsOn(string caller, string callee, int hops)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(callee);
        lock (_gate)
        {
            return Reaches(Names(caller), Names(callee), hops);
        }
    }

    private bool Reaches(HashSet<string> from, HashSet<string> to, int hops)
    {
        var frontier = from;
        var seen = new HashSet<string>(from, StringComparer.Ordinal);
        for (var hop = 0; hop < hops && frontier.Count > 0; hop++)
        {
            var next = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in frontier)
            {
                if (!_callees.TryGetValue(name, out var callees))
                {
                    continue;
                }

                foreach (var callee in callees.Keys)
                {
                    foreach (var same in Names(callee))
                    {
                        if (to.Contains(same))
                        {
                            return true;
                        }

                        if (seen.Add(same))
                        {
                            next.Add(same);
                        }
                    }
                }
            }

            frontier = next;
        }

        return false;
    }

    /// <summary>The names one thing goes by: the identity, the service.name it reports, or the workloads reporting a service.name.</summary>
    private HashSet<string> Names(string identity)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { identity };
        if (_workloadsOfService.TryGetValue(identity, out var workloads))
        {
            names.UnionWith(workloads.Keys);
        }

        // A workload goes by its service.name only when no other workload reports the same name (staging's "cart" is not storefront's).
        if (_servicesOfWorkload.TryGetValue(identity, out var services))
        {
            foreach (var service in services.Keys)
            {
                if (_workloadsOfService.TryGetValue(service, out var reporting) && reporting.Count == 1)
                {
                    names.Add(service);
                }
            }
        }

        return names;
    }

    private static void Add(Dictionary<string, Dictionary<string, DateTimeOffset>> map, string key, string value, DateTimeOffset seen)
    {
        if (!map.TryGetValue(key, out var values))
        {
            map[key] = values = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        }

        values[value] = values.TryGetValue(value, out var held) && held > seen ? held : seen;
    }
}
