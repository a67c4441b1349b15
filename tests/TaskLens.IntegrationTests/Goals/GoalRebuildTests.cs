using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Goals;

/// <summary>
/// Goal runs survive a restart of TaskLens: a run open when TaskLens stopped is rebuilt from the spans in ClickHouse,
/// and a late span after the restart re-finalizes a stored run from all its spans, counting nothing twice; so does a
/// late span of a run finalized in memory, which keeps only its span ids.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class GoalRebuildTests(ClickHouseFixture clickHouse)
{
    [Fact]
    public async Task Restart_OpenRunIsRebuiltFromClickHouse_AndALateSpanAfterwardsJoinsItsStoredRun()
    {
        var database = await clickHouse.CreateDatabaseAsync();
        var start = DateTimeOffset.UtcNow.AddSeconds(-20);
        ActivityContext goal;

        // First life: the run is still in its quiet period when TaskLens stops.
        await using (var first = await TaskLensHost.StartAsync(clickHouse.Url, database, Settings("00:10:00")))
        {
            using var provider = GoalTraffic.CreateProvider(first, OtlpExportProtocol.Grpc, "rebuild");
            using var source = new ActivitySource("rebuild");
            using (var root = source.StartActivity("invoke_agent planner", ActivityKind.Internal, default(ActivityContext), startTime: start)!)
            {
                root.SetTag("gen_ai.operation.name", "invoke_agent");
                root.SetTag("gen_ai.agent.name", "planner");
                goal = root.Context;
                for (var i = 0; i < 3; i++)
                {
                    Tool(source, root.Context, start.AddMilliseconds(10 + (i * 100)), "call_" + i);
                }

                root.SetEndTime(start.AddSeconds(1).UtcDateTime);
            }

            Assert.True(provider.ForceFlush(10_000));
            await first.WaitForStoredAsync();
        }

        // Second life: nothing sends the run again; it is rebuilt from storage and finalized once.
        await using var second = await TaskLensHost.StartAsync(clickHouse.Url, database, Settings("00:00:01"));
        var runId = goal.TraceId.ToHexString();
        using (var rebuilt = await second.GetUntilAsync($"/api/runs/{runId}", d => d.RootElement.GetProperty("run").GetProperty("version").GetInt32() == 4))
        {
            var run = rebuilt.RootElement.GetProperty("run");
            Assert.Equal(("planner", "completed", 3), (run.GetProperty("goal").GetString(), run.GetProperty("outcome").GetString(),
                run.GetProperty("subTasks").GetProperty("tool").GetInt32()));
        }

        // A late span of that run: its goal span is not in this process's memory, so the run is fetched back whole.
        using (var provider = GoalTraffic.CreateProvider(second, OtlpExportProtocol.Grpc, "rebuild"))
        using (var source = new ActivitySource("rebuild"))
        {
            Tool(source, goal, start.AddMilliseconds(500), "call_late");
            Assert.True(provider.ForceFlush(10_000));
        }

        using var late = await second.GetUntilAsync($"/api/runs/{runId}", d => d.RootElement.GetProperty("run").GetProperty("version").GetInt32() == 5);
        var lateRun = late.RootElement.GetProperty("run");
        Assert.Equal(("planner", "completed", 4, 0), (lateRun.GetProperty("goal").GetString(), lateRun.GetProperty("outcome").GetString(),
            lateRun.GetProperty("subTasks").GetProperty("tool").GetInt32(), lateRun.GetProperty("retries").GetInt32()));
        using var runs = await second.Api.GetAsync(new Uri("/api/goals/planner/runs", UriKind.Relative));
        using var list = JsonDocument.Parse(await runs.Content.ReadAsStringAsync());
        Assert.Equal(1, list.RootElement.GetProperty("runs").GetArrayLength());
    }

    [Fact]
    public async Task LateSpan_OfARunFinalizedInMemory_ReloadsItsSpansFromClickHouse_AndFinalizesItAgainFromAll()
    {
        var database = await clickHouse.CreateDatabaseAsync();
        var start = DateTimeOffset.UtcNow.AddSeconds(-20);
        await using var host = await TaskLensHost.StartAsync(clickHouse.Url, database, Settings("00:00:01"));
        using var provider = GoalTraffic.CreateProvider(host, OtlpExportProtocol.Grpc, "late");
        using var source = new ActivitySource("late");
        ActivityContext goal;
        using (var root = source.StartActivity("invoke_agent reviewer", ActivityKind.Internal, default(ActivityContext), startTime: start)!)
        {
            root.SetTag("gen_ai.operation.name", "invoke_agent");
            root.SetTag("gen_ai.agent.name", "reviewer");
            goal = root.Context;
            Tool(source, root.Context, start.AddMilliseconds(10), "call_0");
            Tool(source, root.Context, start.AddMilliseconds(110), "call_1");
            root.SetEndTime(start.AddSeconds(1).UtcDateTime);
        }

        Assert.True(provider.ForceFlush(10_000));
        var runId = goal.TraceId.ToHexString();
        (await host.GetUntilAsync($"/api/runs/{runId}", d => d.RootElement.GetProperty("run").GetProperty("version").GetInt32() == 3)).Dispose();

        // The finalized run kept only its span ids: the late span has its spans read back from ClickHouse.
        Tool(source, goal, start.AddMilliseconds(500), "call_0");
        Assert.True(provider.ForceFlush(10_000));

        using var late = await host.GetUntilAsync($"/api/runs/{runId}", d => d.RootElement.GetProperty("run").GetProperty("version").GetInt32() == 4);
        var run = late.RootElement.GetProperty("run");
        Assert.Equal(("reviewer", "completed", 3, 1), (run.GetProperty("goal").GetString(), run.GetProperty("outcome").GetString(),
            run.GetProperty("subTasks").GetProperty("tool").GetInt32(), run.GetProperty("retries").GetInt32()));
    }

    private static Dictionary<string, string?> Settings(string quiet) => new()
    {
        ["TaskLens:Goals:QuietPeriod"] = quiet,
        ["TaskLens:Goals:SweepInterval"] = "00:00:00.100",
    };

    private static void Tool(ActivitySource source, ActivityContext parent, DateTimeOffset start, string callId)
    {
        using var span = source.StartActivity("execute_tool read_file", ActivityKind.Internal, parent, startTime: start)!;
        span.SetTag("gen_ai.operation.name", "execute_tool");
        span.SetTag("gen_ai.tool.call.id", callId);
        span.SetEndTime(start.AddMilliseconds(50).UtcDateTime);
    }
}
