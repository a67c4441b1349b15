using Microsoft.Extensions.DependencyInjection;
using TaskLens.Core.Findings;
using TaskLens.Core.Goals;
using TaskLens.Detection.Continuous;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Detection;

/// <summary>
/// A goal with a long steady history and one bad minute, judged by the host's own detection runner: 400 minutes of ten
/// runs a minute (one failing) stored in <c>goal_runs</c>, then a minute where eight of ten fail, ending ten minutes
/// before <c>now</c>. The host must run with <c>TaskLens:Detection:Enabled=false</c> (the test drives the runner). The runs
/// are written straight to <c>goal_runs</c>; the goal rollup's watermark, which the runner waits for (a step judged past
/// the wait is judged on its service series only), passes their minutes once the rollup has swept for a quiet period.
/// </summary>
internal static class SteadyGoalHistory
{
    public const int Minutes = 400;

    public static async Task<Seeded> SeedAsync(TaskLensHost host, string goal, DateTimeOffset now)
    {
        var t0 = now - TimeSpan.FromMinutes(Minutes + 10); // judged (raised_at) before now, as a running detector would
        var runs = new List<GoalRun>();
        var completion = new List<double>();
        for (var minute = 0; minute <= Minutes; minute++)
        {
            var failed = 0;
            for (var r = 0; r < 10; r++)
            {
                var fails = minute == Minutes ? r < 8 : r == minute % 3;
                failed += fails ? 1 : 0;
                runs.Add(Run(goal, t0.AddMinutes(minute).AddSeconds(5 * r), $"{minute:x8}{r:x24}", fails));
            }

            completion.Add((10 - failed) / 10.0);
        }

        await host.Services.GetRequiredService<IGoalRunSink>().WriteAsync(runs, CancellationToken.None);
        var runner = host.Services.GetRequiredService<DetectionRunner>();
        var judgedAfter = TimeSpan.FromSeconds(45); // the quiet period (30 s) + 15 s
        var failingMinute = t0.AddMinutes(Minutes);
        await runner.CatchUpAsync(failingMinute + judgedAfter, CancellationToken.None);
        await RunsStoredWait.UntilAsync(runner, failingMinute.AddMinutes(1) + judgedAfter - TimeSpan.FromSeconds(30));
        var raised = await runner.EvaluateDueAsync(failingMinute.AddMinutes(1) + judgedAfter, CancellationToken.None);
        return new Seeded(t0, failingMinute, completion, raised);
    }

    /// <param name="Completion">The completion rate of each minute from <paramref name="T0"/>.</param>
    public sealed record Seeded(DateTimeOffset T0, DateTimeOffset FailingMinute, IReadOnlyList<double> Completion, IReadOnlyList<Finding> Raised);

    private static GoalRun Run(string goal, DateTimeOffset end, string runId, bool failed) => new()
    {
        Tenant = "default",
        GoalName = goal,
        RunId = runId,
        Rule = GoalRule.Agent,
        Service = "agents",
        Outcome = failed ? GoalRunOutcome.Failed : GoalRunOutcome.Completed,
        StartUnixNano = (ulong)end.AddSeconds(-2).ToUnixTimeMilliseconds() * 1_000_000,
        EndUnixNano = (ulong)end.ToUnixTimeMilliseconds() * 1_000_000,
        LlmCalls = 3,
        FanOut = 3,
        Depth = 1,
        Errors = failed ? 1 : 0,
        FirstError = failed ? "tool timed out" : "",
        Version = 4,
    };
}
