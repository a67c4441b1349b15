using MediatR;
using TaskLens.Core.Briefs;
using TaskLens.Core.Goals;
using TaskLens.Core.Incidents;
using TaskLens.Core.Traces;

namespace TaskLens.Briefs.Facts;

/// <summary>
/// Reads an incident's evidence through Core's ports: the incident (through <see cref="GetIncident"/>, as every
/// channel reads it), its goals' series and the services their runs start in, the minute series, error messages and
/// versions of the origin candidates (<see cref="OriginCandidates"/>: its services, their dependencies and neighbours),
/// over the hour before its onset to now. Bounded: at most <see cref="MaxServices"/> services and
/// <see cref="MaxGoals"/> goals, <see cref="MaxErrorGroups"/> error groups.
/// </summary>
internal sealed class EvidenceCollector(
    IMediator mediator, IGoalReader goals, IOperationReader operations, IBriefEvidenceReader evidence, TimeProvider time)
{
    public const int MaxServices = 16;
    public const int MaxGoals = 8;
    public const int MaxErrorGroups = 2000;
    public static readonly TimeSpan Baseline = TimeSpan.FromHours(1);
    private static readonly TimeSpan GoalStep = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ServiceStep = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan GoalRunsBefore = TimeSpan.FromMinutes(15);
    private const int GoalRunsRead = 20;

    public async Task<IncidentEvidence?> CollectAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        if (await mediator.Send(new GetIncident(tenant, id), cancellationToken) is not { } detail)
        {
            return null;
        }

        var incident = detail.Incident;
        var onset = detail.Alerts.Select(a => a.Alert is { } s && s.FirstSeen < a.Membership.JoinedAt ? s.FirstSeen : a.Membership.JoinedAt)
            .Append(incident.OpenedAt).Min();
        var from = onset - Baseline;
        var until = (incident.ResolvedAt ?? time.GetUtcNow()) + TimeSpan.FromMinutes(1);

        // The calls seen from the baseline on; a long incident reads the last hour only (the query joins spans). The goals'
        // runs are read beside it: which services are candidates depends on both.
        var linksSince = from > until - TimeSpan.FromHours(2) ? from : until - TimeSpan.FromHours(2);
        var goalNames = detail.Goals.Select(g => g.GoalName).Take(MaxGoals).ToList();
        var linksRead = evidence.ServiceLinksAsync(tenant, linksSince, until, cancellationToken);
        var runsRead = goalNames.Select(goal => goals.RunsAsync(new GoalRunQuery(tenant, goal, onset - GoalRunsBefore, until, null, 0, GoalRunsRead), cancellationToken)).ToList();
        var links = (await linksRead).Select(l => l with { Caller = l.Caller.ToLowerInvariant(), Callee = l.Callee.ToLowerInvariant() }).ToList();

        // The services the goals run in: the root services of their runs since shortly before the onset.
        var goalServices = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        for (var i = 0; i < goalNames.Count; i++)
        {
            goalServices[goalNames[i].ToLowerInvariant()] = (await runsRead[i]).Select(r => r.Service.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        }

        var services = OriginCandidates.Of(incident.Services, goalServices.Values.SelectMany(s => s), links).Select(c => c.Name).Take(MaxServices).ToList();

        // Each read is small and independent: issued together, the evidence takes about as long as its slowest read
        // rather than the sum of some thirty round trips.
        var goalSeriesRead = goalNames.Select(goal => goals.SeriesAsync(tenant, goal, from, until, GoalStep, cancellationToken)).ToList();
        var serviceSeriesRead = services.Select(service => operations.SeriesAsync(tenant, service, null, from, until, ServiceStep, cancellationToken)).ToList();
        var errorsRead = evidence.ErrorMessagesAsync(tenant, services, from, until, MaxErrorGroups, cancellationToken);
        var versionsRead = evidence.ServiceVersionsAsync(tenant, services, from, until, cancellationToken);
        var goalSeries = new Dictionary<string, IReadOnlyList<GoalFigures>>(StringComparer.Ordinal);
        for (var i = 0; i < goalNames.Count; i++)
        {
            goalSeries[goalNames[i]] = await goalSeriesRead[i];
        }

        var serviceSeries = new Dictionary<string, IReadOnlyList<OperationFigures>>(StringComparer.Ordinal);
        for (var i = 0; i < services.Count; i++)
        {
            serviceSeries[services[i]] = await serviceSeriesRead[i];
        }

        return new IncidentEvidence
        {
            Detail = detail,
            Onset = onset,
            BaselineFrom = from,
            Until = until,
            GoalSeries = goalSeries,
            ServiceSeries = serviceSeries,
            Errors = await errorsRead,
            Versions = await versionsRead,
            Links = links,
            GoalServices = goalServices,
        };
    }
}
