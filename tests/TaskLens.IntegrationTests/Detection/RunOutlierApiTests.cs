using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using MediatR;
using TaskLens.AgentSim;
using TaskLens.Core.Findings;
using TaskLens.Core.Goals;
using TaskLens.Detection.Continuous;
using TaskLens.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace TaskLens.IntegrationTests.Detection;

/// <summary>
/// Run-level outliers through the real pipeline: AgentSim plays 80 ordinary <c>triage-inbox</c> runs and 4 runaway
/// loops (the same tool call ten times the fan-out) through the OpenTelemetry exporter; each run's page
/// (<c>GET /api/runs/{id}</c>) says whether it is unlike the goal's usual runs, and why. Precision and recall over the
/// 84 runs are reported; the detection runner records the runaway run of the steps it judges as a <c>run-outlier</c> finding.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class RunOutlierApiTests(ClickHouseFixture clickHouse, ITestOutputHelper output)
{
    [Fact]
    public async Task GetRun_RunawayLoopsAmongOrdinaryRuns_AreShownAsOutliers_WithTheReason()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>
        {
            ["TaskLens:Detection:Enabled"] = "false",
            ["TaskLens:Goals:QuietPeriod"] = "00:00:01",
            ["TaskLens:Goals:SweepInterval"] = "00:00:00.100",
        });
        var ordinary = new SimOptions { FanOut = 20, ErrorRate = 0.01, ThrottleRate = 0.05 };
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60).AddMinutes(-90);
        var runaway = new HashSet<string>(StringComparer.Ordinal);
        var all = new List<string>();
        using (var source = new ActivitySource("run-outliers"))
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("agents"))
            .AddSource(source.Name)
            .AddOtlpExporter(o =>
            {
                (o.Protocol, o.Endpoint) = (OtlpExportProtocol.Grpc, host.GrpcEndpoint);
                // The SDK's default queue (2,048 spans) would drop some of the 2,500 spans played at once.
                o.BatchExportProcessorOptions = new BatchExportProcessorOptions<Activity> { MaxQueueSize = 1 << 16, MaxExportBatchSize = 4096 };
            })
            .Build()!)
        {
            for (var i = 0; i < 84; i++)
            {
                var loop = i % 21 == 10;
                var id = new GoalSimulator(source, ordinary with { Seed = i + 1, RunawayRate = loop ? 1 : 0 }).RunGoal(0, start.AddMinutes(i).AddSeconds(5));
                all.Add(id);
                if (loop)
                {
                    runaway.Add(id);
                }
            }

            Assert.True(provider.ForceFlush(30_000));
        }

        await host.WaitForStoredAsync();
        var goals = host.Services.GetRequiredService<TaskLens.Core.Goals.IGoalReader>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var figures = await goals.ListGoalsAsync("default", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
            var finished = figures.Sum(f => f.Completed + f.Failed + f.Abandoned);
            if (finished == all.Count)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{finished} of {all.Count} goal runs stored");
            await Task.Delay(200);
        }

        var flagged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in all)
        {
            var run = (await host.GetUntilAsync($"/api/runs/{id}", _ => true)).RootElement;
            Assert.Equal(84, run.GetProperty("outlierModel").GetProperty("runs").GetInt32());
            if (run.GetProperty("outlier").ValueKind == JsonValueKind.Object)
            {
                flagged[id] = run.GetProperty("outlier").GetProperty("reason").GetString()!;
            }
        }

        var right = flagged.Keys.Count(runaway.Contains);
        var precision = flagged.Count == 0 ? 0 : (double)right / flagged.Count;
        var recall = (double)right / runaway.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{flagged.Count} flagged of {all.Count} runs ({runaway.Count} runaway): precision {precision:P0}, recall {recall:P0}"));
        foreach (var (id, reason) in flagged)
        {
            output.WriteLine($"{id}: {reason}");
        }

        Assert.Equal((1.0, 1.0), (precision, recall));
        Assert.All(runaway, id => Assert.StartsWith("this run called tools ", flagged[id], StringComparison.Ordinal));

        // The run page reads the same verdict through the application layer (GetRunDetail), a loop and a usual run.
        var mediator = host.Services.GetRequiredService<IMediator>();
        var loopPage = await mediator.Send(new GetRunDetail("default", runaway.First()));
        Assert.Equal((flagged[runaway.First()], 84), (loopPage!.Outlier?.Reason, loopPage.OutlierModelRuns));
        var usualPage = await mediator.Send(new GetRunDetail("default", all.First(id => !runaway.Contains(id))));
        Assert.Equal(((string?)null, 84), (usualPage!.Outlier?.Reason, usualPage.OutlierModelRuns));

        // Detection judges the runs of each step too: minutes 70 to 83 hold one runaway run (73), a finding of its own kind.
        var runner = host.Services.GetRequiredService<DetectionRunner>();
        var judgedAfter = TimeSpan.FromSeconds(16); // quiet period 1 s + 15 s
        await runner.CatchUpAsync(start.AddMinutes(70) + judgedAfter, CancellationToken.None);
        await RunsStoredWait.UntilAsync(runner, start.AddMinutes(84) + judgedAfter - TimeSpan.FromSeconds(1));
        var findings = await runner.EvaluateDueAsync(start.AddMinutes(84) + judgedAfter, CancellationToken.None);
        var finding = Assert.Single(findings, f => f.Detector == "run-outlier");
        Assert.Equal((FindingStatus.Context, "triage-inbox", all[73]), (finding.Status, finding.Subject, Assert.Single(finding.SampleRunIds)));
        Assert.StartsWith("this run called tools ", finding.Reason, StringComparison.Ordinal);
    }
}
