using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TaskLens.AgentSim;
using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Detection.Continuous;

namespace TaskLens.IntegrationTests.Detection;

/// <summary>
/// The agent-aware rule with AgentSim traffic through the real OTLP exporter, ingest, goal rollup and ClickHouse:
/// 400 minutes of history (one <c>triage-inbox</c> run a minute, played with past span times), then one minute of a
/// scenario, judged by the detection runner. An agent burst — twelve runs in the minute, all completing as usual — is
/// context; goals failing while the request rate is as usual are raised.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class AgentAwareTests(ClickHouseFixture clickHouse)
{
    private const int HistoryMinutes = 400;
    private static readonly SimOptions Steady = new() { FanOut = 20, ErrorRate = 0, ThrottleRate = 0.05, Seed = 3 };

    [Fact]
    public async Task AgentBurst_WithGoalsCompletingAsUsual_IsContext_NotRaised()
    {
        var alerts = await PlayAsync("burst", minute => Enumerable.Range(0, 12).Select(i => (minute.AddSeconds(4 * i), Steady)));

        var burst = Assert.Single(alerts, a => a.Scope == "service" && a.Metric == "request_rate");
        Assert.Equal((FindingStatus.Context, AlertSeverity.Info, "agents"), (burst.Status, burst.Severity, burst.Subject));
        Assert.True(burst.Observed > 10 * burst.Expected, $"twelve runs instead of one: {burst.Observed} against {burst.Expected}");
        Assert.Contains("'triage-inbox' (100% completed", burst.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(alerts, a => a.Scope == "goal" && a.Metric is "completion_rate" or "failure_rate" or "duration_p95_ms" or "finished");
        Assert.DoesNotContain(alerts, a => a.Scope == "service" && a.Status == FindingStatus.Raised && a.Metric != "duration_p95_ms");
    }

    [Fact]
    public async Task GoalsFailing_WhileRequestRatesLookNormal_IsRaised()
    {
        var alerts = await PlayAsync("failing", minute => [(minute.AddSeconds(5), Steady with { ErrorRate = 1 })]);

        var drop = Assert.Single(alerts, a => a.Metric == "completion_rate");
        Assert.Equal((FindingStatus.Raised, AlertSeverity.Critical, "triage-inbox", 0.0), (drop.Status, drop.Severity, drop.Subject, drop.Observed));
        Assert.Single(drop.SampleRunIds);
        Assert.DoesNotContain(alerts, a => a.Metric == "request_rate");
        // The service's error rate rose with the failures: raised too. The failing run itself is a run-level outlier: context.
        Assert.All(alerts.Where(a => a.Detector != "run-outlier"), a => Assert.Equal(FindingStatus.Raised, a.Status));
        var run = Assert.Single(alerts, a => a.Detector == "run-outlier");
        Assert.Equal((FindingStatus.Context, drop.SampleRunIds[0]), (run.Status, run.SampleRunIds[0]));
        Assert.StartsWith("this run failed sub-tasks where the goal's runs usually do not", run.Reason, StringComparison.Ordinal);
    }

    /// <summary>Plays the history and the scenario's minute, lets the runner learn the one and judge the other.</summary>
    private async Task<IReadOnlyList<Finding>> PlayAsync(string name, Func<DateTimeOffset, IEnumerable<(DateTimeOffset At, SimOptions Options)>> scenario)
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>
        {
            ["TaskLens:Detection:Enabled"] = "false", // driven below, with its own clock
            ["TaskLens:Goals:QuietPeriod"] = "00:00:01",
            ["TaskLens:Goals:SweepInterval"] = "00:00:00.100",
        });
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60);
        var t0 = now.AddMinutes(-(HistoryMinutes + 1));
        var scenarioMinute = t0.AddMinutes(HistoryMinutes);
        var runs = Enumerable.Range(0, HistoryMinutes).Select(m => (At: t0.AddMinutes(m).AddSeconds(5), Options: Steady)).Concat(scenario(scenarioMinute)).ToList();

        using (var source = new ActivitySource("agent-aware-" + name))
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("agents"))
            .AddSource(source.Name)
            .AddOtlpExporter(o =>
            {
                o.Protocol = OtlpExportProtocol.Grpc;
                o.Endpoint = host.GrpcEndpoint;
                o.BatchExportProcessorOptions = new BatchExportProcessorOptions<Activity> { MaxQueueSize = 1 << 16, MaxExportBatchSize = 4096 };
            })
            .Build()!)
        {
            for (var i = 0; i < runs.Count; i++)
            {
                // A seed per run, so runs differ as real ones do (latencies, throttling, tokens); goal 0 is triage-inbox.
                new GoalSimulator(source, runs[i].Options with { Seed = i + 1 }).RunGoal(0, runs[i].At);
            }

            Assert.True(provider.ForceFlush(30_000));
        }

        await host.WaitForStoredAsync();
        await WaitForRunsAsync(host, runs.Count);
        var runner = host.Services.GetRequiredService<DetectionRunner>();
        var judgedAfter = TimeSpan.FromSeconds(16); // quiet period 1 s + 15 s
        await runner.CatchUpAsync(scenarioMinute + judgedAfter, CancellationToken.None);
        await RunsStoredWait.UntilAsync(runner, scenarioMinute.AddMinutes(1) + judgedAfter - TimeSpan.FromSeconds(1));
        return await runner.EvaluateDueAsync(scenarioMinute.AddMinutes(1) + judgedAfter, CancellationToken.None);
    }

    private static async Task WaitForRunsAsync(TaskLensHost host, int runs)
    {
        var goals = host.Services.GetRequiredService<TaskLens.Core.Goals.IGoalReader>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var figures = await goals.ListGoalsAsync("default", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
            var finished = figures.Sum(f => f.Completed + f.Failed + f.Abandoned);
            if (finished == runs)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{finished} of {runs} goal runs stored");
            await Task.Delay(200);
        }
    }
}
