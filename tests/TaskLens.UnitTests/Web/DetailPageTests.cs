using Bunit;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using TaskLens.Core.Alerts;
using TaskLens.Core.Goals;
using TaskLens.Core.Incidents;
using TaskLens.Web.Components.Pages;

namespace TaskLens.UnitTests.Web;

/// <summary>
/// The goal and run pages over what their requests answer: the goal charts say what their band is and draw the
/// detector's limits; a run read only in part says so. The real handlers over ClickHouse are covered by the
/// integration tests (GoalBandTests, RunPageTests).
/// </summary>
public sealed class DetailPageTests : IAsyncLifetime
{
    private readonly Answers _answers = new();
    private readonly DashboardTestContext _context;

    public DetailPageTests() => _context = new DashboardTestContext(services =>
    {
        services.AddSingleton(_answers);
        services.AddSingleton<IncidentFeed>();
        services.AddTransient<IRequestHandler<GetRunDetail, RunDetail?>, RunHandler>();
        services.AddTransient<IRequestHandler<GetGoalDetail, GoalDetail>, GoalHandler>();
    });

    [Fact]
    public void RunPage_MoreSpansThanRead_SaysItShowsOnlyTheFirst()
    {
        var run = RunSpans.Run(tools: 40);
        _answers.Run = run with { TotalSpans = 12_345 };

        var page = _context.Render<RunPage>(p => p.Add(c => c.RunId, RunSpans.TraceId));

        page.WaitForAssertion(() => Assert.Contains("Truncated: showing 43 of 12,345 spans", page.Find("#run-truncated").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void RunPage_EverySpanRead_HasNoMarker()
    {
        _answers.Run = RunSpans.Run(tools: 40);

        var page = _context.Render<RunPage>(p => p.Add(c => c.RunId, RunSpans.TraceId));

        // The page loads in OnParametersSetAsync: the title is there only once the run is read.
        page.WaitForAssertion(() => Assert.Contains("Run of", page.Find("#run-title").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("#run-truncated"));
    }

    [Fact]
    public void GoalPage_ThinnedWindow_NamesTheBandAndDrawsTheDetectorsLimits()
    {
        double[] values = [0.9, 0.2];
        _answers.Goal = new GoalDetail(
            "triage",
            [1_700_000_000, 1_700_000_300],
            [new GoalBand("completion_rate", "completion rate", "share", values, [0.9, 0.9], [0.8, 0.8], [1.0, 1.0])],
            [new GoalMarker(DateTimeOffset.FromUnixTimeSeconds(1_700_000_300), "finding", "completion_rate", AlertSeverity.Critical, "completion rate dropped", "")],
            [],
            [],
            TimeSpan.FromMinutes(1),
            5,
            8);

        var page = _context.Render<GoalDetailPage>(p => p.Add(c => c.Name, "triage"));

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("#goal-band-note")));
        var note = page.Find("#goal-band-note").TextContent;
        Assert.Contains("per one-minute step (each point the most unusual of 5 steps)", note, StringComparison.Ordinal);
        Assert.Contains("expected value ± 8 spreads", note, StringComparison.Ordinal);
        Assert.Equal("completion rate (0 to 1)", page.Find("figure.time-chart figcaption").TextContent.Trim());
        Assert.Contains("completion rate (0 to 1): 2 steps, latest 0.2, 1 markers", page.Find(".time-chart-canvas").GetAttribute("aria-label"), StringComparison.Ordinal);
        Assert.Contains("completion rate dropped", page.Find(".goal-markers").TextContent, StringComparison.Ordinal);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private sealed class Answers
    {
        public RunDetail? Run { get; set; }

        public GoalDetail? Goal { get; set; }
    }

    private sealed class RunHandler(Answers answers) : IRequestHandler<GetRunDetail, RunDetail?>
    {
        public Task<RunDetail?> Handle(GetRunDetail request, CancellationToken cancellationToken) => Task.FromResult(answers.Run);
    }

    private sealed class GoalHandler(Answers answers) : IRequestHandler<GetGoalDetail, GoalDetail>
    {
        public Task<GoalDetail> Handle(GetGoalDetail request, CancellationToken cancellationToken) => Task.FromResult(answers.Goal!);
    }
}
