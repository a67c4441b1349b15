using MediatR;
using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.Core.Incidents;

namespace TaskLens.Core.Goals;

/// <summary>One goal over a window: a chart per <see cref="GoalMetric"/> with its normal range and markers, and its runs.</summary>
public sealed record GetGoalDetail(string Tenant, string Goal, DateTimeOffset From, DateTimeOffset To, TimeSpan Step) : IRequest<GoalDetail>;

/// <param name="Times">Step starts in unix seconds, shared by every chart.</param>
public sealed record GoalDetail(
    string Goal,
    IReadOnlyList<long> Times,
    IReadOnlyList<GoalChart> Charts,
    IReadOnlyList<GoalMarker> Markers,
    IReadOnlyList<GoalRun> RecentRuns,
    IReadOnlyList<GoalRun> FailedRuns);

/// <param name="Values">One per step (NaN where no run ended), with the band's <see cref="Lower"/> and <see cref="Upper"/>.</param>
public sealed record GoalChart(GoalMetric Metric, double[] Values, double[] Lower, double[] Upper);

/// <summary>Where something was raised on the goal: a detection finding on a metric (null for incidents) or an incident.</summary>
public sealed record GoalMarker(DateTimeOffset At, string Kind, string? Metric, AlertSeverity Severity, string Text, string Link);

internal sealed class GetGoalDetailHandler(IGoalReader goals, IFindingReader findingReader, IIncidentStore incidents) : IRequestHandler<GetGoalDetail, GoalDetail>
{
    private const int Runs = 25;

    public async Task<GoalDetail> Handle(GetGoalDetail request, CancellationToken cancellationToken)
    {
        // Five independent reads, sent together.
        var seriesRead = goals.SeriesAsync(request.Tenant, request.Goal, request.From, request.To, request.Step, cancellationToken);
        var findingsRead = findingReader.ListAsync(new FindingQuery(request.Tenant, request.From, request.To, Goal: request.Goal, Limit: 500), cancellationToken);
        var raisedRead = incidents.ListAsync(new IncidentQuery(request.Tenant, request.From, request.To, null, null, request.Goal, null, 200), cancellationToken);
        var recentRead = goals.RunsAsync(new GoalRunQuery(request.Tenant, request.Goal, request.From, request.To, null, 0, Runs), cancellationToken);
        var failedRead = goals.RunsAsync(new GoalRunQuery(request.Tenant, request.Goal, request.From, request.To, GoalRunOutcome.Failed, 0, Runs), cancellationToken);
        var series = await seriesRead;
        var steps = StepGrid.Of(request.From, request.To, request.Step);
        var index = steps.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i);
        var charts = GoalMetric.Charted.Select(metric =>
        {
            var values = new double[steps.Count];
            Array.Fill(values, double.NaN);
            foreach (var f in series)
            {
                if (index.TryGetValue(f.Time, out var i))
                {
                    values[i] = metric.Read(f) ?? double.NaN;
                }
            }

            var (lower, upper) = SeriesBand.Compute(values);
            return new GoalChart(metric, values, lower, upper);
        }).ToList();

        var findings = await findingsRead;
        var raised = await raisedRead;
        var markers = findings.Where(a => a.Status != FindingStatus.Resolved)
            .Select(a => new GoalMarker(a.WindowStart, a.Status == FindingStatus.Context ? "context" : "finding", a.Metric, a.Severity, a.Summary, ""))
            .Concat(raised.Select(i => new GoalMarker(i.OpenedAt, "incident", null, i.Severity, $"{i.Id}: {i.Title}", $"incidents/{i.Id}")))
            .OrderBy(m => m.At).ToList();

        return new GoalDetail(request.Goal, steps.Select(t => t.ToUnixTimeSeconds()).ToList(), charts, markers, await recentRead, await failedRead);
    }
}
