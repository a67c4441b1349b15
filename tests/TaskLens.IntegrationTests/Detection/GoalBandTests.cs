using MediatR;
using Microsoft.Extensions.DependencyInjection;
using TaskLens.Core.Goals;
using TaskLens.Detection;
using TaskLens.Detection.Continuous;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Detection;

/// <summary>
/// The goal page's charts over real ClickHouse: the band each step is drawn with is the band the production detector
/// judged that step by, and the minute the running detector raised a finding is marked, with its value outside the band.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class GoalBandTests(ClickHouseFixture clickHouse)
{
    private const string Goal = "itest-band";

    [Fact]
    public async Task GoalDetail_ChartsTheDetectorsOwnBand_AndMarksWhatItRaised()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>
        {
            ["TaskLens:Detection:Enabled"] = "false", // the test drives the runner itself, with its own clock
        });
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60);
        var (t0, failingMinute, completion, raised) = await SteadyGoalHistory.SeedAsync(host, Goal, now);
        var drop = Assert.Single(raised, a => a.Metric == "completion_rate");

        var detail = await host.Services.GetRequiredService<IMediator>().Send(
            new GetGoalDetail("default", Goal, now.AddHours(-8), now, TimeSpan.FromMinutes(1)), CancellationToken.None);

        // One chart per watched goal metric, at the detection step, one point per step.
        Assert.Equal(SeriesMetrics.Goal.Select(m => m.Name), detail.Charts.Select(c => c.Metric));
        Assert.Equal((TimeSpan.FromMinutes(1), 1, 480), (detail.DetectionStep, detail.StepsPerPoint, detail.Times.Count));
        var chart = detail.Charts.Single(c => c.Metric == "completion_rate");
        var at = detail.Times.ToList().IndexOf(failingMinute.ToUnixTimeSeconds());
        Assert.Equal(0.2, chart.Values[at], 9);

        // The production detector, fed the same minutes directly: the chart's band is its band, step by step.
        var detector = SeriesDetectors.For(SeriesKind.LowerIsWorse, intermittent: false);
        var first = detail.Times.ToList().IndexOf(t0.ToUnixTimeSeconds());
        var judged = 0;
        for (var minute = 0; minute <= SteadyGoalHistory.Minutes; minute++)
        {
            detector.Observe(t0.AddMinutes(minute), completion[minute]);
            var (expected, lower, upper) = detector.LastBand;
            var i = first + minute;
            Assert.Equal(completion[minute], chart.Values[i], 9);
            Assert.Equal((double.IsNaN(lower), double.IsNaN(upper)), (double.IsNaN(chart.Lower[i]), double.IsNaN(chart.Upper[i])));
            if (!double.IsNaN(lower))
            {
                Assert.Equal((expected, lower, upper), (chart.Expected[i], chart.Lower[i], chart.Upper[i]));
                judged++;
            }
        }

        Assert.True(judged > 50, $"only {judged} steps had a band");
        for (var i = 0; i < first; i++)
        {
            Assert.True(double.IsNaN(chart.Values[i]) && double.IsNaN(chart.Lower[i]), $"step {i} before the goal's first run has a value or a band");
        }

        // The finding is marked at its minute, and the value there lies outside the band it was judged by.
        var marker = Assert.Single(detail.Markers, m => m.Kind == "finding" && m.Metric == "completion_rate");
        Assert.Equal((failingMinute, drop.Summary), (marker.At, marker.Text));
        Assert.True(chart.Values[at] < chart.Lower[at], $"{chart.Values[at]} within [{chart.Lower[at]}, {chart.Upper[at]}]");
        Assert.Equal(drop.Lower, chart.Lower[at], 9);

        // A wider window thins to the most unusual step of each group: the failing minute survives.
        var week = await host.Services.GetRequiredService<IMediator>().Send(
            new GetGoalDetail("default", Goal, now.AddHours(-24), now, TimeSpan.FromMinutes(5)), CancellationToken.None);
        var thinned = week.Charts.Single(c => c.Metric == "completion_rate");
        Assert.Equal(5, week.StepsPerPoint);
        Assert.Contains(thinned.Values, v => Math.Abs(v - 0.2) < 1e-9);
    }
}
