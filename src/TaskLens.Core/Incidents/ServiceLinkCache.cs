using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskLens.Core.Traces;

namespace TaskLens.Core.Incidents;

/// <summary>
/// Which services call which, for correlation: learnt from every finished goal run (a span whose parent is in another
/// service), and once at start from the spans of the last <see cref="IncidentOptions.LinkWindow"/> in ClickHouse, so a
/// restart does not forget them. A link not seen for that window is dropped. Names compare in lower case, as
/// correlation's do. Learning from the runs, not by querying spans every minute, keeps the work off ClickHouse while
/// agents burst.
/// </summary>
public sealed class ServiceLinkCache(ITraceReader traces, IncidentOptions options, TimeProvider time, ILogger<ServiceLinkCache> logger)
    : BackgroundService, IServiceLinks
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<(string Tenant, string Caller, string Callee), (DateTimeOffset LastSeen, long Calls)> _links = new();

    /// <summary>The links known now (every tenant), with when each was last seen and how many runs or calls showed it.</summary>
    public IReadOnlyList<(ServiceLink Link, DateTimeOffset LastSeen)> Current =>
        _links.Select(l => (new ServiceLink(l.Key.Tenant, l.Key.Caller, l.Key.Callee, l.Value.Calls), l.Value.LastSeen))
            .OrderBy(l => l.Item1.Caller, StringComparer.Ordinal).ThenBy(l => l.Item1.Callee, StringComparer.Ordinal).ToList();

    public bool Linked(string tenant, string serviceA, string serviceB) =>
        _links.ContainsKey((tenant, serviceA, serviceB)) || _links.ContainsKey((tenant, serviceB, serviceA));

    public void Observe(string tenant, IReadOnlyList<(string Caller, string Callee)> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var now = time.GetUtcNow();
        foreach (var (caller, callee) in calls)
        {
            _links.AddOrUpdate((tenant, caller.ToLowerInvariant(), callee.ToLowerInvariant()), (now, 1), (_, held) => (now, held.Calls + 1));
        }
    }

    /// <summary>Reads the calls of the last <see cref="IncidentOptions.LinkWindow"/> of spans from ClickHouse (done once at start).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var link in await traces.ServiceLinksAsync(now - options.LinkWindow, cancellationToken))
        {
            _links.AddOrUpdate((link.Tenant, link.Caller.ToLowerInvariant(), link.Callee.ToLowerInvariant()), (now, link.Calls), (_, held) => (now, held.Calls + link.Calls));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await LoadAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            CoreLog.LinksFailed(logger, e);
        }

        using var timer = new PeriodicTimer(PruneEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var before = time.GetUtcNow() - options.LinkWindow;
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
