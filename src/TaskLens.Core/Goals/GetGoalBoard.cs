using MediatR;
using TaskLens.Core.Findings;

namespace TaskLens.Core.Goals;

/// <summary>Every goal of the tenant with a run ending in the window, with its figures and a per-step sparkline.</summary>
public sealed record GetGoalBoard(string Tenant, DateTimeOffset From, DateTimeOffset To, TimeSpan Step) : IRequest<IReadOnlyList<GoalRow>>;

/// <param name="Completed">Runs completed per step, oldest first, one value per step of the window.</param>
/// <param name="CompletionRate">Completion rate per step (NaN where no run ended).</param>
public sealed record GoalRow(GoalFigures Figures, IReadOnlyList<double> Completed, IReadOnlyList<double> CompletionRate);

internal sealed class GetGoalBoardHandler(IGoalReader goals, IDetectionSeriesReader series) : IRequestHandler<GetGoalBoard, IReadOnlyList<GoalRow>>
{
    public async Task<IReadOnlyList<GoalRow>> Handle(GetGoalBoard request, CancellationToken cancellationToken)
    {
        // Both reads at once: each is a scan of the window's runs, and ClickHouse runs them side by side.
        var summaryRead = goals.ListGoalsAsync(request.Tenant, request.From, request.To, cancellationToken);
        var bucketsRead = series.GoalBucketsAsync(request.From, request.To, request.Step, cancellationToken);
        var summary = await summaryRead;
        var buckets = (await bucketsRead)
            .Where(b => b.Tenant == request.Tenant)
            .ToLookup(b => b.Figures.GoalName, b => b.Figures, StringComparer.Ordinal);
        var steps = StepGrid.Of(request.From, request.To, request.Step);
        return summary.Select(g =>
        {
            var byTime = buckets[g.GoalName].ToDictionary(f => f.Time);
            return new GoalRow(
                g,
                steps.Select(t => byTime.TryGetValue(t, out var f) ? f.Completed : 0.0).ToList(),
                steps.Select(t => byTime.TryGetValue(t, out var f) ? f.CompletionRate ?? double.NaN : double.NaN).ToList());
        }).ToList();
    }
}
