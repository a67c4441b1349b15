using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskLens.Core.Telemetry;
using TaskLens.Core.Traces;

namespace TaskLens.Core.Incidents;

/// <summary>
/// Which services call which, for correlation: learnt from every finished goal run (a span whose parent is in another
/// service), and once per tenant — the first time its alerts are correlated after start — from that tenant's spans of
/// the last <see cref="IncidentOptions.LinkWindow"/> in ClickHouse, so a restart does not forget them (every read is
/// scoped to the one tenant). A link not seen for that window is dropped. Names compare in lower case, as
/// correlation's do. Learning from the runs, not by querying spans every minute, keeps the work off ClickHouse while
/// agents burst. Beside the service-name calls, each tenant's <see cref="WorkloadTopology"/> learns from every stored
/// batch's resources which Kubernetes workload (and machine) reports each <c>service.name</c> — per resource, not per
/// span — so alerts written in Kubernetes labels meet the calls spans show.
/// </summary>
public sealed class ServiceLinkCache(ITraceReader traces, IncidentOptions options, TimeProvider time, ILogger<ServiceLinkCache> logger)
    : BackgroundService, IServiceLinks
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);

    private static readonly string[] ResourceKeys = ["k8s.namespace.name", "k8s.deployment.name", "k8s.statefulset.name", "k8s.daemonset.name", "k8s.pod.name", "k8s.node.name"];

    private readonly ConcurrentDictionary<(string Tenant, string Caller, string Callee), (DateTimeOffset LastSeen, long Calls)> _links = new();
    private readonly ConcurrentDictionary<string, WorkloadTopology> _topologies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task>> _loads = new(StringComparer.Ordinal);

    /// <summary>The links known now (every tenant), with when each was last seen and how many runs or calls showed it.</summary>
    public IReadOnlyList<(ServiceLink Link, DateTimeOffset LastSeen)> Current =>
        _links.Select(l => (new ServiceLink(l.Key.Tenant, l.Key.Caller, l.Key.Callee, l.Value.Calls), l.Value.LastSeen))
            .OrderBy(l => l.Item1.Caller, StringComparer.Ordinal).ThenBy(l => l.Item1.Callee, StringComparer.Ordinal).ToList();

    public bool Linked(string tenant, string serviceA, string serviceB) =>
        _links.ContainsKey((tenant, serviceA, serviceB)) || _links.ContainsKey((tenant, serviceB, serviceA));

    public WorkloadTopology Topology(string tenant) => _topologies.GetOrAdd(tenant, _ => new WorkloadTopology());

    public void Observe(string tenant, IReadOnlyList<(string Caller, string Callee)> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var now = time.GetUtcNow();
        var topology = Topology(tenant);
        foreach (var (caller, callee) in calls)
        {
            _links.AddOrUpdate((tenant, caller.ToLowerInvariant(), callee.ToLowerInvariant()), (now, 1), (_, held) => (now, held.Calls + 1));
            topology.ObserveCall(caller, callee, now);
        }
    }

    public void ObserveResources(SpanBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var now = time.GetUtcNow();
        Dictionary<string, string>? resource = null;
        foreach (var record in batch.Resources)
        {
            resource?.Clear();
            foreach (var attribute in batch.AttributesOf(record.Attributes))
            {
                if (Array.IndexOf(ResourceKeys, attribute.Key) >= 0)
                {
                    (resource ??= new Dictionary<string, string>(StringComparer.Ordinal))[attribute.Key] = attribute.Value;
                }
            }

            // Without a namespace the resource says nothing beyond its service.name, which the calls already carry.
            if (resource is not null && resource.ContainsKey("k8s.namespace.name"))
            {
                resource["service.name"] = record.ServiceName;
                Topology(batch.Tenant).ObserveResource(resource, now);
            }
        }
    }

    /// <summary>
    /// Reads the tenant's calls of the last <see cref="IncidentOptions.LinkWindow"/> of spans from ClickHouse, once per
    /// tenant; callers after the first wait for that one read. A read that fails is logged and tried again by the next
    /// caller: links are learnt from goal runs meanwhile, so correlation goes on without them.
    /// </summary>
    public async Task LoadAsync(string tenant, CancellationToken cancellationToken)
    {
        var load = _loads.GetOrAdd(tenant, t => new Lazy<Task>(() => ReadAsync(t)));
        try
        {
            await load.Value.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _loads.TryRemove(new KeyValuePair<string, Lazy<Task>>(tenant, load));
            CoreLog.LinksFailed(logger, tenant, e);
        }
    }

    private async Task ReadAsync(string tenant)
    {
        var now = time.GetUtcNow();
        foreach (var link in await traces.ServiceLinksAsync(tenant, now - options.LinkWindow, CancellationToken.None))
        {
            _links.AddOrUpdate((tenant, link.Caller.ToLowerInvariant(), link.Callee.ToLowerInvariant()), (now, link.Calls), (_, held) => (now, held.Calls + link.Calls));
            Topology(tenant).ObserveCall(link.Caller, link.Callee, now);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PruneEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var before = time.GetUtcNow() - options.LinkWindow;
            foreach (var topology in _topologies.Values)
            {
                topology.Prune(before);
            }

            foreach (var (key, value) in _links)
            {
                if (value.LastSeen < before)
                {
                    _links.TryRemove(key, out _);
                }
            }
        }
    }
}
