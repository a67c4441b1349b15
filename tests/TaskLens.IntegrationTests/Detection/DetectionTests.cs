using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Goals;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Detection.Continuous;

namespace TaskLens.IntegrationTests.Detection;

/// <summary>
/// Continuous detection end to end over real ClickHouse: 400 minutes of a steady goal in <c>goal_runs</c> are learnt
/// at start, a minute where most runs fail is judged, and the alert it raises — stored in <c>alerts</c> — comes back
/// from <c>GET /api/alerts</c> with the failed runs of that minute as samples.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class DetectionTests(ClickHouseFixture clickHouse)
{
    private const int HistoryMinutes = 400;

    [Fact]
    public async Task FailingMinute_AfterSteadyHistory_IsAnAlert_StoredAndServedWithSampleRuns()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>
        {
            ["TaskLens:Detection:Enabled"] = "false", // the test drives the runner itself, with its own clock
        });
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60);
        var t0 = now - TimeSpan.FromMinutes(HistoryMinutes + 3); // the failing minute ended two minutes ago: its runs are covered
        var runs = new List<GoalRun>();
        for (var minute = 0; minute <= HistoryMinutes; minute++)
        {
            var failing = minute == HistoryMinutes;
            for (var r = 0; r < 10; r++)
            {
                var failed = failing ? r < 8 : r == minute % 3;
                runs.Add(Run(t0.AddMinutes(minute).AddSeconds(5 * r), $"{minute:x8}{r:x24}", failed));
            }
        }

        await host.Services.GetRequiredService<IGoalRunSink>().WriteAsync(runs, CancellationToken.None);
        var runner = host.Services.GetRequiredService<DetectionRunner>();
        var judgedAfter = TimeSpan.FromSeconds(45); // the quiet period (30 s) + 15 s
        var failingMinute = t0.AddMinutes(HistoryMinutes);

        // Learn everything before the failing minute, then judge that minute once it is due.
        await runner.CatchUpAsync(failingMinute + judgedAfter, CancellationToken.None);
        await RunsStoredWait.UntilAsync(runner, failingMinute.AddMinutes(1) + judgedAfter - TimeSpan.FromSeconds(30));
        var alerts = await runner.EvaluateDueAsync(failingMinute.AddMinutes(1) + judgedAfter, CancellationToken.None);

        var drop = Assert.Single(alerts, a => a.Metric == "completion_rate");
        Assert.Equal(("itest-triage", 0.2), (drop.Subject, drop.Observed));
        Assert.Equal(3, drop.SampleRunIds.Count);
        var failedIds = runs.Where(r => r.Outcome == GoalRunOutcome.Failed && r.EndUnixNano >= (ulong)failingMinute.ToUnixTimeMilliseconds() * 1_000_000).Select(r => r.RunId).ToHashSet();
        Assert.Subset(failedIds, drop.SampleRunIds.ToHashSet());

        using var response = await host.Api.GetAsync(
            $"/api/alerts?goal=itest-triage&from={failingMinute.AddHours(-1).ToUnixTimeMilliseconds()}&to={now.AddHours(1).ToUnixTimeMilliseconds()}");
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var served = json.RootElement.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("metric").GetString() == "completion_rate");
        Assert.Equal(("raised", "critical", "goal", drop.Id), (served.GetProperty("status").GetString(), served.GetProperty("severity").GetString(),
            served.GetProperty("scope").GetString(), served.GetProperty("id").GetString()));
        Assert.Equal(drop.Summary, served.GetProperty("summary").GetString());
        var links = served.GetProperty("links");
        Assert.Equal(drop.SampleRunIds.Select(id => "/api/runs/" + id), links.GetProperty("sampleRuns").EnumerateArray().Select(l => l.GetString()));
        Assert.StartsWith("/api/goals/itest-triage/runs?outcome=failed&from=", links.GetProperty("failedRuns").GetString(), StringComparison.Ordinal);

        // The sample run link leads to the run.
        using var run = await host.Api.GetAsync(links.GetProperty("sampleRuns")[0].GetString());
        run.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task OwnAlerts_OpenAnIncident_ThatResolvesItselfOnceTheGoalIsSteadyAgain()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>
        {
            ["TaskLens:Detection:Enabled"] = "false",
        });
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60);
        const int After = 20;
        var t0 = now - TimeSpan.FromMinutes(HistoryMinutes + After + 2);
        var runs = new List<GoalRun>();
        for (var minute = 0; minute <= HistoryMinutes + After; minute++)
        {
            for (var r = 0; r < 10; r++)
            {
                runs.Add(Run(t0.AddMinutes(minute).AddSeconds(5 * r), $"{minute:x8}{r:x24}", minute == HistoryMinutes ? r < 8 : r == minute % 3));
            }
        }

        await host.Services.GetRequiredService<IGoalRunSink>().WriteAsync(runs, CancellationToken.None);
        var runner = host.Services.GetRequiredService<DetectionRunner>();
        var intake = host.Services.GetRequiredService<IAlertIntake>();
        var judgedAfter = TimeSpan.FromSeconds(45);
        var failingMinute = t0.AddMinutes(HistoryMinutes);
        await runner.CatchUpAsync(failingMinute + judgedAfter, CancellationToken.None);

        // What DetectionService does each tick: judge the due steps, hand raised and resolved alerts to the intake.
        await RunsStoredWait.UntilAsync(runner, failingMinute.AddMinutes(After) + judgedAfter - TimeSpan.FromSeconds(30));
        var raised = await runner.EvaluateDueAsync(failingMinute.AddMinutes(1) + judgedAfter, CancellationToken.None);
        await intake.AcceptAsync(DetectionService.IntakeEvents(raised), CancellationToken.None);
        var open = await IncidentsAsync(host);
        Assert.Equal(("triggered", 2), (open[0].GetProperty("status").GetString(), open[0].GetProperty("alerts").GetInt32()));
        Assert.Equal(["itest-triage"], open[0].GetProperty("goals").EnumerateArray().Select(g => g.GetString()));

        var later = await runner.EvaluateDueAsync(failingMinute.AddMinutes(After) + judgedAfter, CancellationToken.None);
        Assert.Equal(
            raised.Where(a => a.Status == FindingStatus.Raised).Select(a => a.Fingerprint).Order(),
            later.Where(a => a.Status == FindingStatus.Resolved).Select(a => a.Fingerprint).Order());
        await intake.AcceptAsync(DetectionService.IntakeEvents(later), CancellationToken.None);
        var resolved = await IncidentsAsync(host);
        Assert.Equal(("resolved", "auto", 0), (resolved[0].GetProperty("status").GetString(), resolved[0].GetProperty("resolvedBy").GetString(),
            resolved[0].GetProperty("firingAlerts").GetInt32()));
    }

    [Theory]
    [InlineData("status=open", "Invalid status")]
    [InlineData("severity=3", "Invalid severity")]
    [InlineData("limit=0", "limit")]
    public async Task Alerts_BadQuery_Is400(string query, string expected)
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse);

        using var response = await host.Api.GetAsync("/api/alerts?" + query);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<List<JsonElement>> IncidentsAsync(TaskLensHost host)
    {
        using var response = await host.Api.GetAsync("/api/incidents");
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("incidents").EnumerateArray().Select(i => i.Clone()).ToList();
    }

    private static GoalRun Run(DateTimeOffset end, string runId, bool failed) => new()
    {
        Tenant = "default",
        GoalName = "itest-triage",
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
