using MediatR;
using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.Core.Incidents;
using TaskLens.Core.Ingest;

namespace TaskLens.Core.Overview;

/// <summary>The dashboard's first page for one tenant: goals over the last hour, open incidents, ingest health.</summary>
public sealed record GetOverview(string Tenant) : IRequest<OverviewFigures>;

/// <param name="CompletedPerMinute">Goal runs completed per minute, oldest first (minutes without runs are zero).</param>
/// <param name="CompletionRate">Completed ÷ ended over the hour; null with no run ended.</param>
/// <param name="CostPerHour">US dollars of the priced LLM calls over the last hour.</param>
/// <param name="OpenIncidents">Open incidents per severity (every severity present, zero when none).</param>
public sealed record OverviewFigures(
    DateTimeOffset At,
    IReadOnlyList<(DateTimeOffset Minute, double Completed)> CompletedPerMinute,
    double? CompletionRate,
    double CostPerHour,
    long RunsEnded,
    IReadOnlyDictionary<AlertSeverity, int> OpenIncidents,
    IReadOnlyList<Incident> LatestOpen,
    IngestHealth Ingest);

internal sealed class GetOverviewHandler(IDetectionSeriesReader series, IIncidentStore incidents, IEnumerable<IIngestHealth> ingest, TimeProvider time)
    : IRequestHandler<GetOverview, OverviewFigures>
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    public async Task<OverviewFigures> Handle(GetOverview request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var until = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(1);
        var since = until - Window;
        var incidentsRead = incidents.ListAsync(new IncidentQuery(request.Tenant, now.AddDays(-30), now, null, null, null, null, 1_000), cancellationToken);
        var buckets = (await series.GoalBucketsAsync(since, until, TimeSpan.FromMinutes(1), cancellationToken))
            .Where(b => b.Tenant == request.Tenant).Select(b => b.Figures).ToList();
        var perMinute = buckets.GroupBy(f => f.Time).ToDictionary(g => g.Key, g => (double)g.Sum(f => f.Completed));
        var minutes = Enumerable.Range(0, (int)Window.TotalMinutes).Select(i => since.AddMinutes(i))
            .Select(m => (m, perMinute.GetValueOrDefault(m))).ToList();
        long completed = buckets.Sum(f => f.Completed), ended = buckets.Sum(f => f.Completed + f.Failed + f.Abandoned);

        var open = (await incidentsRead).Where(i => i.IsOpen).ToList();
        var bySeverity = Enum.GetValues<AlertSeverity>().ToDictionary(s => s, s => open.Count(i => i.Severity == s));
        return new OverviewFigures(
            now,
            minutes,
            ended == 0 ? null : (double)completed / ended,
            buckets.Sum(f => f.Cost),
            ended,
            bySeverity,
            open.OrderByDescending(i => i.Severity).ThenByDescending(i => i.UpdatedAt).Take(5).ToList(),
            ingest.FirstOrDefault()?.Current() ?? IngestHealth.None);
    }
}
