using MediatR;
using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.Core.Incidents;

namespace TaskLens.Core.Goals;

/// <summary>
/// One goal over a window: a chart per metric continuous detection watches, with the limits its detector judged each
/// step against and markers where findings and incidents were raised; its runs. <paramref name="Step"/> is the widest
/// step a chart point may stand for: a window of more detection steps than that shows one point per group of them.
/// </summary>
public sealed record GetGoalDetail(string Tenant, string Goal, DateTimeOffset From, DateTimeOffset To, TimeSpan Step) : IRequest<GoalDetail>;

/// <param name="Times">Point starts in unix seconds, shared by every chart.</param>
/// <param name="DetectionStep">The step the detector judges.</param>
/// <param name="StepsPerPoint">Detection steps one chart point stands for (the most unusual of them is shown).</param>
/// <param name="LimitSpreads">Spreads from the expected value to each limit (<see cref="GoalBands.LimitSpreads"/>).</param>
public sealed record GoalDetail(
    string Goal,
    IReadOnlyList<long> Times,
    IReadOnlyList<GoalBand> Charts,
    IReadOnlyList<GoalMarker> Markers,
    IReadOnlyList<GoalRun> RecentRuns,
    IReadOnlyList<GoalRun> FailedRuns,
    TimeSpan DetectionStep,
    int StepsPerPoint,
    double LimitSpreads);

/// <summary>Where something was raised on the goal: a detection finding on a metric (null for incidents) or an incident.</summary>
public sealed record GoalMarker(DateTimeOffset At, string Kind, string? Metric, AlertSeverity Severity, string Text, string Link);

internal sealed class GetGoalDetailHandler(IGoalReader goals, IGoalBandReader bands, IFindingReader findingReader, IIncidentStore incidents) : IRequestHandler<GetGoalDetail, GoalDetail>
{
    private const int Runs = 25;

    public async Task<GoalDetail> Handle(GetGoalDetail request, CancellationToken cancellationToken)
    {
        // Five independent reads, sent together.
        var bandsRead = bands.ReadAsync(request.Tenant, request.Goal, request.From, request.To, cancellationToken);
        var findingsRead = findingReader.ListAsync(new FindingQuery(request.Tenant, request.From, request.To, Goal: request.Goal, Limit: 500), cancellationToken);
        var raisedRead = incidents.ListAsync(new IncidentQuery(request.Tenant, request.From, request.To, null, null, request.Goal, null, 200), cancellationToken);
        var recentRead = goals.RunsAsync(new GoalRunQuery(request.Tenant, request.Goal, request.From, request.To, null, 0, Runs), cancellationToken);
        var failedRead = goals.RunsAsync(new GoalRunQuery(request.Tenant, request.Goal, request.From, request.To, GoalRunOutcome.Failed, 0, Runs), cancellationToken);
        var watched = await bandsRead;
        var perPoint = (int)Math.Max(1, Math.Ceiling(request.Step / watched.Step));
        var times = new List<long>();
        for (var i = 0; i < watched.Times.Count; i += perPoint)
        {
            times.Add(watched.Times[i]);
        }

        var charts = watched.Metrics.Select(m => m.Thin(perPoint)).ToList();
        var findings = await findingsRead;
        var raised = await raisedRead;
        var markers = findings.Where(a => a.Status != FindingStatus.Resolved)
            .Select(a => new GoalMarker(a.WindowStart, a.Status == FindingStatus.Context ? "context" : "finding", a.Metric, a.Severity, a.Summary, ""))
            .Concat(raised.Select(i => new GoalMarker(i.OpenedAt, "incident", null, i.Severity, $"{i.Id}: {i.Title}", $"incidents/{i.Id}")))
            .OrderBy(m => m.At).ToList();

        return new GoalDetail(request.Goal, times, charts, markers, await recentRead, await failedRead, watched.Step, perPoint, watched.LimitSpreads);
    }
}
