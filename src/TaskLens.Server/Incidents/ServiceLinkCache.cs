using System.Collections.Frozen;
using TaskLens.Core.Incidents;
using TaskLens.Core.Traces;

namespace TaskLens.Server.Incidents;

/// <summary>
/// Which services call which, read from spans every <see cref="IncidentOptions.LinkRefresh"/> over the last
/// <see cref="IncidentOptions.LinkWindow"/>, for correlation. Names compare in lower case, as correlation's do. Until the
/// first read, and while ClickHouse cannot answer, the last links known are used (none at first).
/// </summary>
internal sealed class ServiceLinkCache(ITraceReader traces, IncidentOptions options, TimeProvider time, ILogger<ServiceLinkCache> logger)
    : BackgroundService, IServiceLinks
{
    private volatile Snapshot _snapshot = new([], FrozenSet<(string, string, string)>.Empty, DateTimeOffset.MinValue);

    /// <summary>The links as last read, and when.</summary>
    public (IReadOnlyList<ServiceLink> Links, DateTimeOffset ReadAt) Current => (_snapshot.Links, _snapshot.ReadAt);

    public bool Linked(string tenant, string serviceA, string serviceB) =>
        _snapshot.Pairs.Contains((tenant, serviceA, serviceB)) || _snapshot.Pairs.Contains((tenant, serviceB, serviceA));

    /// <summary>Reads the links now (also what the refresh loop does).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var links = await traces.ServiceLinksAsync(now - options.LinkWindow, cancellationToken);
        var pairs = links.Select(l => (l.Tenant, l.Caller.ToLowerInvariant(), l.Callee.ToLowerInvariant())).ToFrozenSet();
        _snapshot = new Snapshot(links, pairs, now);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.LinkRefresh, time);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                IncidentLog.LinksFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private sealed record Snapshot(IReadOnlyList<ServiceLink> Links, FrozenSet<(string Tenant, string Caller, string Callee)> Pairs, DateTimeOffset ReadAt);
}
