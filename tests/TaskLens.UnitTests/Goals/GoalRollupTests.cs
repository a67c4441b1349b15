using TaskLens.Core.Goals;

namespace TaskLens.UnitTests.Goals;

/// <summary>Runs assembled from spans as they arrive, finalized by the completion rules, with exact figures.</summary>
public sealed class GoalRollupTests
{
    private const long Quiet = 30_000;
    private static readonly ModelPriceTable Prices = ModelPriceTable.Parse("""{"models": {"gpt-4o": {"input": 2.5, "output": 10, "cached": 1.25}}}""");

    [Fact]
    public void Observe_OutOfOrderAndDuplicatedAcrossBatches_OneRunWithExactFigures_OnlyAfterTheQuietPeriod()
    {
        var rollup = new GoalRollup(new GoalOptions(), Prices);
        var children = new TraceBuilder()
            .Llm(1, 11, 10, 1, 41, "gpt-4o", input: 1000, output: 200, cached: 100)
            .Tool(1, 12, 10, 42, 60, "web_search", "call_1")
            .Db(1, 13, 10, 61, 70)
            .Build();
        var root = new TraceBuilder().Agent(1, 10, 0, 0, 75, "triage").Build();

        rollup.Observe(children, nowMs: 0);
        rollup.Observe(root, nowMs: 1_000);
        rollup.Observe(children, nowMs: 2_000); // a retried export: folded

        // Quiet counts from the last new span (at 1,000): the duplicates did not restart it.
        Assert.Empty(rollup.Sweep(1_000 + Quiet - 1));
        var run = Assert.Single(rollup.Sweep(1_000 + Quiet));
        Assert.Equal("triage", run.GoalName);
        Assert.Equal(GoalRule.Agent, run.Rule);
        Assert.Equal("0102030405060708" + "0000000000000001", run.RunId);
        Assert.Equal(GoalRunOutcome.Completed, run.Outcome);
        Assert.Equal((1, 1, 1, 0, 0), (run.LlmCalls, run.ToolCalls, run.DbCalls, run.HttpCalls, run.OtherSubTasks));
        Assert.Equal(75_000_000UL, run.DurationNano);
        Assert.Equal((3, 1), (run.FanOut, run.Depth));
        Assert.Equal((1000L, 200L, 100L), (run.InputTokens, run.OutputTokens, run.CachedTokens));
        Assert.Equal(0.004375, run.Cost!.Value, 12); // (900 × 2.5 + 200 × 10 + 100 × 1.25) / 1e6
        Assert.Equal((0, 0, 0, 0), (run.UnpricedCalls, run.Errors, run.Throttled, run.Retries));
        Assert.Equal(4UL, run.Version);
        Assert.Equal(3, rollup.Stats.DuplicateSpans);
        Assert.Empty(rollup.Sweep(2_000 + (2 * Quiet)));
    }

    [Fact]
    public void Sweep_RunAcrossServices_NamesEachCallBetweenThemOnce()
    {
        var rollup = new GoalRollup(new GoalOptions(), Prices);
        rollup.Observe(new TraceBuilder("gateway").Span(7, 1, 0, 0, 90, "POST /refunds").Build(), nowMs: 0);
        rollup.Observe(new TraceBuilder("agents").Agent(7, 2, 1, 1, 80, "refunds").Http(7, 3, 2, 2, 10).Http(7, 4, 2, 11, 20).Build(), nowMs: 0);
        rollup.Observe(new TraceBuilder("payments").Span(7, 5, 3, 3, 9, "POST /charge").Span(7, 6, 4, 12, 19, "POST /charge").Build(), nowMs: 0);

        var run = Assert.Single(rollup.Sweep(Quiet));

        Assert.Equal([("gateway", "agents"), ("agents", "payments")], run.ServiceCalls.OrderBy(c => c.Caller == "agents"));
    }

    [Fact]
    public void Observe_FiveThousandSubTasksInFiftyBatches_CountsEverySubTask()
    {
        var rollup = new GoalRollup(new GoalOptions(), Prices);
        for (var batch = 0; batch < 50; batch++)
        {
            var builder = new TraceBuilder();
            for (var i = 0; i < 100; i++)
            {
                var id = (ulong)(100 + (batch * 100) + i);
                _ = (id % 2 == 0)
                    ? builder.Llm(2, id, 1, 1, 50, "gpt-4o", input: 100, output: 10)
                    : builder.Tool(2, id, 1, 1, 30, "read_file", "call_" + id);
            }

            rollup.Observe(builder.Build(), nowMs: batch);
        }

        rollup.Observe(new TraceBuilder().Agent(2, 1, 0, 0, 60, "fan-out").Build(), nowMs: 60);
        var run = Assert.Single(rollup.Sweep(60 + Quiet));

        Assert.Equal(5_000, run.SubTasks);
        Assert.Equal((2_500, 2_500), (run.LlmCalls, run.ToolCalls));
        Assert.Equal((5_000, 1), (run.FanOut, run.Depth));
        Assert.Equal((250_000L, 25_000L), (run.InputTokens, run.OutputTokens));
        Assert.Equal(2_500 * ((100 * 2.5) + (10 * 10)) / 1e6, run.Cost!.Value, 9);
        Assert.Equal(5_001UL, run.Version);
    }

    [Fact]
    public void Observe_AgentsCallingAgents_TheOutermostAgentIsTheGoal_AndItsLateArrivalReFinalizesTheRun()
    {
        var rollup = new GoalRollup(new GoalOptions(), Prices);
        rollup.Observe(
            new TraceBuilder()
                .Agent(3, 2, 1, 5, 50, "researcher")
                .Tool(3, 3, 2, 6, 20, "web_search", "call_a")
                .Tool(3, 4, 2, 21, 45, "read_file", "call_b")
                .Build(),
            nowMs: 0);

        // The inner agent alone looks like a goal: after a quiet period it is finalized as one.
        var early = Assert.Single(rollup.Sweep(Quiet));
        Assert.Equal(("researcher", 2, 1, 3UL), (early.GoalName, early.SubTasks, early.Depth, early.Version));

        // The planner that called it ends later: the run, which kept only its span ids, is reloaded from storage and
        // finalized again, from every span, as the planner's.
        rollup.Observe(new TraceBuilder().Agent(3, 1, 0, 0, 60, "planner").Build(), nowMs: Quiet + 10);
        Assert.Empty(rollup.Sweep(Quiet + 20));
        Assert.Equal(("default", 0x0102030405060708UL, 3UL), Assert.Single(rollup.TakeReloads()));
        rollup.Reload(
            new TraceBuilder()
                .Agent(3, 1, 0, 0, 60, "planner")
                .Agent(3, 2, 1, 5, 50, "researcher")
                .Tool(3, 3, 2, 6, 20, "web_search", "call_a")
                .Tool(3, 4, 2, 21, 45, "read_file", "call_b")
                .Build(),
            nowMs: Quiet + 30);
        Assert.Empty(rollup.Sweep(Quiet + 40));
        var run = Assert.Single(rollup.Sweep((2 * Quiet) + 10));
        Assert.Equal(early.RunId, run.RunId);
        Assert.Equal(("planner", 3, 2, 2, 4UL), (run.GoalName, run.SubTasks, run.Depth, run.FanOut, run.Version));
        Assert.Equal(1, rollup.Stats.LateSpans);
    }

    [Fact]
    public void Observe_TraceWithoutRootSpan_MarkedAgentWithRemoteParent_IsTheGoal()
    {
        var rollup = new GoalRollup(new GoalOptions(), Prices);
        rollup.Observe(
            new TraceBuilder()
                .Agent(4, 2, 99, 0, 30, "support")
                .Http(4, 3, 2, 1, 29)
                .Build(),
            nowMs: 0);

        var run = Assert.Single(rollup.Sweep(Quiet));

        Assert.Equal(("support", GoalRule.Agent, GoalRunOutcome.Completed, 1), (run.GoalName, run.Rule, run.Outcome, run.HttpCalls));
    }

    [Fact]
    public void Sweep_TraceWhoseRootNeverArrives_IsAbandonedAfterTheMaximum_NotBefore()
    {
        var options = new GoalOptions { AbandonAfter = TimeSpan.FromMinutes(10) };
        var rollup = new GoalRollup(options, Prices);
        rollup.Observe(new TraceBuilder("billing").Http(5, 2, 1, 0, 10).Db(5, 3, 1, 10, 20).Build(), nowMs: 0);

        Assert.Empty(rollup.Sweep(600_000 - 1));
        var run = Assert.Single(rollup.Sweep(600_000));

        Assert.Equal(GoalRunOutcome.Abandoned, run.Outcome);
        Assert.Equal((GoalRule.None, 0UL), (run.Rule, run.GoalSpanId));
        Assert.Equal("billing/GET", run.GoalName);
        Assert.Equal(20_000_000UL, run.DurationNano);
    }

    [Fact]
    public void Observe_LateSpanAfterFinalization_ReFinalizesWithIt_AndAfterTheRunIsLetGo_AsksForItBackFromStorage()
    {
        var options = new GoalOptions { KeepFinalizedFor = TimeSpan.FromMinutes(5) };
        var rollup = new GoalRollup(options, Prices);
        rollup.Observe(new TraceBuilder().Agent(6, 1, 0, 0, 100, "report").Tool(6, 2, 1, 1, 10, "sql_query", "c1").Build(), nowMs: 0);
        var first = Assert.Single(rollup.Sweep(Quiet));
        Assert.Equal((0L, 2L), (rollup.Stats.SpansInMemory, rollup.Stats.FinalizedSpanIdsInMemory));

        // A late span: the finalized run kept only its span ids, so its spans are asked back from storage.
        rollup.Observe(new TraceBuilder().Tool(6, 3, 1, 20, 30, "sql_query", "c2").Build(), nowMs: Quiet + 1_000);
        Assert.Empty(rollup.Sweep(Quiet + 2_000));
        Assert.Equal(("default", 0x0102030405060708UL, 6UL), Assert.Single(rollup.TakeReloads()));
        rollup.Reload(
            new TraceBuilder().Agent(6, 1, 0, 0, 100, "report").Tool(6, 2, 1, 1, 10, "sql_query", "c1").Tool(6, 3, 1, 20, 30, "sql_query", "c2").Build(),
            nowMs: Quiet + 2_000);
        Assert.Equal((3L, 0L), (rollup.Stats.SpansInMemory, rollup.Stats.FinalizedSpanIdsInMemory));
        Assert.Empty(rollup.Sweep(Quiet + 3_000));
        var second = Assert.Single(rollup.Sweep((2 * Quiet) + 1_000));
        Assert.Equal((1, 2UL), (first.ToolCalls, first.Version));
        Assert.Equal((2, 3UL), (second.ToolCalls, second.Version));

        // The same late span again is a duplicate, told by the ids kept: nothing to reload or re-finalize.
        rollup.Observe(new TraceBuilder().Tool(6, 3, 1, 20, 30, "sql_query", "c2").Build(), nowMs: (2 * Quiet) + 2_000);
        Assert.Empty(rollup.Sweep((3 * Quiet) + 2_000));
        Assert.Empty(rollup.TakeReloads());

        Assert.Empty(rollup.Sweep((2 * Quiet) + 1_000 + 300_000)); // kept for 5 minutes, then let go
        Assert.Equal(0, rollup.Stats.RunsInMemory);

        // A late span of a run let go does not start a run of one span: the run is asked back from storage whole.
        rollup.Observe(new TraceBuilder().Tool(6, 4, 1, 40, 50, "sql_query", "c3").Build(), nowMs: 400_000);
        Assert.Empty(rollup.Sweep(400_000 + Quiet));
        var reload = Assert.Single(rollup.TakeReloads());
        Assert.Equal(("default", 0x0102030405060708UL, 6UL), reload);
        Assert.Empty(rollup.TakeReloads());
        var stored = new TraceBuilder()
            .Agent(6, 1, 0, 0, 100, "report")
            .Tool(6, 2, 1, 1, 10, "sql_query", "c1")
            .Tool(6, 3, 1, 20, 30, "sql_query", "c2")
            .Tool(6, 4, 1, 40, 50, "sql_query", "c3")
            .Build();
        rollup.Reload(stored, nowMs: 401_000);
        var third = Assert.Single(rollup.Sweep(401_000 + Quiet));
        Assert.Equal((3, 4UL, first.RunId), (third.ToolCalls, third.Version, third.RunId));
        Assert.Equal((1L, 1L, 2L), (rollup.Stats.LateSpans, rollup.Stats.LateSpansOfForgottenRuns, rollup.Stats.RunsReloaded));
    }

    [Fact]
    public void Sweep_LateSpanWhoseReloadDidNotComeBack_AsksForTheRunAgain()
    {
        var rollup = new GoalRollup(new GoalOptions(), Prices);
        rollup.Observe(new TraceBuilder().Agent(7, 1, 0, 0, 100, "report").Build(), nowMs: 0);
        Assert.Single(rollup.Sweep(Quiet));
        rollup.Observe(new TraceBuilder().Tool(7, 2, 1, 20, 30, "sql_query", "c2").Build(), nowMs: Quiet + 1_000);

        Assert.Single(rollup.TakeReloads()); // taken, but storage could not be read
        Assert.Empty(rollup.Sweep(Quiet + 2_000));

        Assert.Equal(("default", 0x0102030405060708UL, 7UL), Assert.Single(rollup.TakeReloads()));
        rollup.Reload(new TraceBuilder().Agent(7, 1, 0, 0, 100, "report").Tool(7, 2, 1, 20, 30, "sql_query", "c2").Build(), nowMs: Quiet + 3_000);
        var run = Assert.Single(rollup.Sweep((2 * Quiet) + 1_000));
        Assert.Equal((1, 2UL), (run.ToolCalls, run.Version));
    }

    [Fact]
    public void Sweep_FinalizedRunsIdsPastTheSpanLimit_AreLetGoOldestFirst_DownToNineTenths()
    {
        var rollup = new GoalRollup(new GoalOptions { MaxSpansInMemory = 1_000 }, Prices);
        for (ulong trace = 1; trace <= 3; trace++)
        {
            var builder = new TraceBuilder().Agent(400 + trace, 1, 0, 0, 100, "g" + trace);
            for (ulong i = 0; i < 399; i++)
            {
                builder.Tool(400 + trace, 10 + i, 1, 1, 2, "read_file", "c" + i);
            }

            rollup.Observe(builder.Build(), nowMs: 0);
            Assert.Single(rollup.Sweep(((long)trace * Quiet) + 1)); // 400 spans each, finalized one after another
        }

        // 1,200 ids of finalized runs, over 1,000: the oldest run is let go (800 left), and its late span asks for a reload.
        Assert.Equal((0L, 800L, 2), (rollup.Stats.SpansInMemory, rollup.Stats.FinalizedSpanIdsInMemory, rollup.Stats.RunsInMemory));
        rollup.Observe(new TraceBuilder().Tool(401, 9_999, 1, 1, 2, "read_file", "late").Build(), nowMs: (3 * Quiet) + 2);
        Assert.Equal((1L, 0L), (rollup.Stats.LateSpansOfForgottenRuns, rollup.Stats.LateSpans));
    }

    [Fact]
    public void Sweep_FinalizedRunsIdsPastTheSpanLimit_ARunFinalizedAgainIsLetGoByItsLatestFinalization()
    {
        var rollup = new GoalRollup(new GoalOptions { MaxSpansInMemory = 1_000 }, Prices);
        TraceBuilder Run(ulong trace, int spans)
        {
            var builder = new TraceBuilder().Agent(trace, 1, 0, 0, 100, "g" + trace);
            for (ulong i = 0; i < (ulong)spans - 1; i++)
            {
                builder.Tool(trace, 10 + i, 1, 1, 2, "read_file", "c" + i);
            }

            return builder;
        }

        long nowMs = 0;
        foreach (var trace in new ulong[] { 501, 502, 503 })
        {
            rollup.Observe(Run(trace, 300).Build(), nowMs);
            nowMs += Quiet + 1;
            Assert.Single(rollup.Sweep(nowMs)); // 900 ids of finalized runs: under the bound
        }

        // The first run takes a late span and is finalized again, from storage: now it is the newest.
        rollup.Observe(new TraceBuilder().Tool(501, 9_000, 1, 1, 2, "read_file", "late").Build(), nowMs);
        Assert.Equal(("default", 0x0102030405060708UL, 501UL), Assert.Single(rollup.TakeReloads()));
        rollup.Reload(Run(501, 300).Tool(501, 9_000, 1, 1, 2, "read_file", "late").Build(), nowMs);
        nowMs += Quiet + 1;
        Assert.Equal(301UL, Assert.Single(rollup.Sweep(nowMs)).Version);

        // A fourth run passes the bound (1,201 ids): the two finalized longest ago are let go, not the first run.
        rollup.Observe(Run(504, 300).Build(), nowMs);
        nowMs += Quiet + 1;
        Assert.Single(rollup.Sweep(nowMs));
        Assert.Equal((601L, 2), (rollup.Stats.FinalizedSpanIdsInMemory, rollup.Stats.RunsInMemory));
        rollup.Observe(new TraceBuilder().Tool(502, 9_001, 1, 1, 2, "read_file", "late").Tool(501, 9_002, 1, 1, 2, "read_file", "late").Build(), nowMs);
        Assert.Equal((1L, 2L), (rollup.Stats.LateSpansOfForgottenRuns, rollup.Stats.LateSpans));
    }

    [Fact]
    public void Sweep_RunWithoutGoalSpan_IsAskedBackFromStorageOnceAfterAQuietPeriod_AndCompletesWithWhatWasStored()
    {
        var rollup = new GoalRollup(new GoalOptions(), Prices);

        // A late span of a run finalized before a restart: its goal span is in storage, not in memory.
        rollup.Observe(new TraceBuilder().Tool(16, 9, 1, 60, 70, "read_file", "c9").Build(), nowMs: 0);
        Assert.Empty(rollup.TakeReloads());
        Assert.Empty(rollup.Sweep(Quiet));
        Assert.Equal(("default", 0x0102030405060708UL, 16UL), Assert.Single(rollup.TakeReloads()));
        Assert.Empty(rollup.Sweep(2 * Quiet));
        Assert.Empty(rollup.TakeReloads());

        rollup.Reload(new TraceBuilder().Agent(16, 1, 0, 0, 80, "g").Tool(16, 2, 1, 1, 50, "read_file", "c1").Tool(16, 9, 1, 60, 70, "read_file", "c9").Build(), nowMs: 2 * Quiet);
        var run = Assert.Single(rollup.Sweep(3 * Quiet));

        Assert.Equal(("g", GoalRunOutcome.Completed, 2, 3UL), (run.GoalName, run.Outcome, run.ToolCalls, run.Version));
    }

    [Fact]
    public void Reload_OfARunAlreadyHeld_FoldsEverySpan_NothingCountsTwice()
    {
        var rollup = new GoalRollup(new GoalOptions(), Prices);
        var trace = new TraceBuilder().Agent(15, 1, 0, 0, 100, "g").Llm(15, 2, 1, 1, 50, "gpt-4o", input: 10, output: 1).Build();
        rollup.Observe(trace, nowMs: 0);

        rollup.Reload(trace, nowMs: 10);

        var run = Assert.Single(rollup.Sweep(Quiet));
        Assert.Equal((1, 10L, 2UL), (run.LlmCalls, run.InputTokens, run.Version));
        Assert.Equal(2, rollup.Stats.DuplicateSpans);
    }

    [Fact]
    public void Compute_ThrottledCallRetried_IsCompleted_WithTheThrottleAndTheRetryCounted()
    {
        var rollup = new GoalRollup(new GoalOptions(), Prices);
        rollup.Observe(
            new TraceBuilder()
                .Agent(7, 1, 0, 0, 100, "answer")
                .Span(7, 2, 1, 1, 3, "chat gpt-4o", "rate limited", ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o"), ("http.response.status_code", 429L))
                .Llm(7, 3, 1, 10, 90, "gpt-4o", input: 10, output: 1)
                .Build(),
            nowMs: 0);

        var run = Assert.Single(rollup.Sweep(Quiet));

        Assert.Equal(GoalRunOutcome.Completed, run.Outcome);
        Assert.Equal((1, 1, 1, 2), (run.Throttled, run.Retries, run.Errors, run.LlmCalls));
        Assert.Equal(("rate limited", 2UL), (run.FirstError, run.FirstErrorSpanId));
    }

    [Fact]
    public void Compute_LastSubTaskFailed_OrGoalSpanFailed_IsFailed()
    {
        var rollup = new GoalRollup(new GoalOptions(), Prices);
        rollup.Observe(
            new TraceBuilder()
                .Agent(8, 1, 0, 0, 100, "deploy")
                .Tool(8, 2, 1, 1, 20, "run_tests", "c1")
                .Tool(8, 3, 1, 30, 95, "push", "c2", error: "permission denied")
                .Agent(9, 1, 0, 0, 100, "deploy", error: "gave up")
                .Tool(9, 2, 1, 1, 20, "run_tests", "c1")
                .Build(),
            nowMs: 0);

        var runs = rollup.Sweep(Quiet).OrderBy(r => r.RunId, StringComparer.Ordinal).ToList();

        Assert.Equal([GoalRunOutcome.Failed, GoalRunOutcome.Failed], runs.Select(r => r.Outcome));
        Assert.Equal(("permission denied", 3UL), (runs[0].FirstError, runs[0].FirstErrorSpanId));
        Assert.Equal(("gave up", 1UL), (runs[1].FirstError, runs[1].FirstErrorSpanId));
    }

    [Fact]
    public void Compute_CriticalPath_FollowsWhatTheGoalWaitedOn_NotParallelWork()
    {
        var rollup = new GoalRollup(new GoalOptions(), Prices);
        rollup.Observe(
            new TraceBuilder()
                .Agent(10, 1, 0, 0, 100, "plan")
                .Tool(10, 2, 1, 0, 40, "a", "a")       // on the path: the goal waited on it until 40
                .Tool(10, 3, 1, 10, 30, "b", "b")      // ran beside a: not on the path
                .Agent(10, 4, 1, 50, 90, "helper")     // on the path: 50-90
                .Tool(10, 5, 4, 60, 80, "d", "d")      // what helper waited on
                .Build(),
            nowMs: 0);

        var run = Assert.Single(rollup.Sweep(Quiet));

        Assert.Equal([2UL, 4UL, 5UL], run.CriticalPathSpanIds);
        Assert.Equal(80_000_000UL, run.CriticalPathNano); // 40 ms on a + 40 ms on helper
        Assert.Equal((3, 2), (run.FanOut, run.Depth));
    }

    [Fact]
    public void Compute_RepeatedToolCallIds_AreRetries_AndAnUnknownModelIsUnpriced()
    {
        var rollup = new GoalRollup(new GoalOptions(), Prices);
        var builder = new TraceBuilder().Agent(11, 1, 0, 0, 100, "loop");
        for (ulong i = 0; i < 4; i++)
        {
            builder.Tool(11, 10 + i, 1, 1 + i, 2 + i, "web_search", "call_loop");
        }

        builder.Llm(11, 20, 1, 10, 20, "llama-3.1-70b", input: 50, output: 5);
        rollup.Observe(builder.Build(), nowMs: 0);

        var run = Assert.Single(rollup.Sweep(Quiet));

        Assert.Equal(3, run.Retries);
        Assert.Equal((1, (double?)null), (run.UnpricedCalls, run.Cost));
        Assert.Equal(55L, run.InputTokens + run.OutputTokens);
    }

    [Fact]
    public void Observe_OldGenAiNames_AreRead()
    {
        var rollup = new GoalRollup(new GoalOptions(), Prices);
        rollup.Observe(
            new TraceBuilder()
                .Span(12, 1, 0, 0, 10, "workflow", null, ("gen_ai.operation.name", "invoke_workflow"), ("gen_ai.workflow.name", "onboarding"))
                .Span(12, 2, 1, 1, 9, "openai.chat", null, ("gen_ai.system", "openai"), ("gen_ai.request.model", "gpt-4o-2024-08-06"),
                    ("gen_ai.usage.prompt_tokens", 1_000_000L), ("gen_ai.usage.completion_tokens", 0L))
                .Build(),
            nowMs: 0);

        var run = Assert.Single(rollup.Sweep(Quiet));

        Assert.Equal(("onboarding", GoalRule.Workflow, 1), (run.GoalName, run.Rule, run.LlmCalls));
        Assert.Equal(2.5, run.Cost!.Value, 9);
    }

    [Fact]
    public void Rules_Configured_RootOnly_NamesTheGoalByServiceAndRootSpan()
    {
        var options = new GoalOptions();
        options.Rules.Add(GoalRule.Root);
        var rollup = new GoalRollup(options, Prices);
        rollup.Observe(new TraceBuilder("frontend").Http(13, 1, 0, 0, 10).Agent(13, 2, 1, 1, 9, "triage").Build(), nowMs: 0);

        var run = Assert.Single(rollup.Sweep(Quiet));

        Assert.Equal(("frontend/GET", GoalRule.Root, 1UL), (run.GoalName, run.Rule, run.GoalSpanId));
    }

    [Fact]
    public void Observe_PastTheSpanLimit_TotalsStillCountEverySpan_ShapeFromTheSpansHeld()
    {
        var rollup = new GoalRollup(new GoalOptions { MaxSpansPerRun = 10 }, Prices);
        var builder = new TraceBuilder().Agent(14, 1, 0, 0, 100, "big");
        for (ulong i = 0; i < 15; i++)
        {
            builder.Llm(14, 10 + i, 1, 1, 50, "gpt-4o", input: 100, output: 0);
        }

        rollup.Observe(builder.Build(), nowMs: 0);
        rollup.Observe(builder.Build(), nowMs: 1); // duplicates of untracked spans fold too

        var run = Assert.Single(rollup.Sweep(Quiet));

        Assert.Equal((15, 6, 9), (run.LlmCalls, run.SpansNotTracked, run.FanOut));
        Assert.Equal(1_500L, run.InputTokens);
        Assert.Equal(15 * 100 * 2.5 / 1e6, run.Cost!.Value, 12);
        Assert.Equal(16UL, run.Version);
    }

    [Fact]
    public void Observe_PastTheRunLimit_FinalizesTheRunsIdleLongestEarly()
    {
        var rollup = new GoalRollup(new GoalOptions { MaxRunsInMemory = 10 }, Prices);
        for (ulong trace = 1; trace <= 10; trace++)
        {
            rollup.Observe(new TraceBuilder().Agent(100 + trace, 1, 0, 0, 10, "g" + trace).Build(), nowMs: (long)trace);
        }

        rollup.Observe(new TraceBuilder().Agent(200, 1, 0, 0, 10, "new").Build(), nowMs: 20);

        var early = Assert.Single(rollup.Sweep(21));
        Assert.Equal(("g1", GoalRunOutcome.Completed), (early.GoalName, early.Outcome));
        Assert.Equal((1L, 10), (rollup.Stats.RunsFinalizedEarly, rollup.Stats.RunsInMemory));
    }

    [Fact]
    public void Observe_PastTheSpanLimitOverAllRuns_FinalizesTheRunsIdleLongestEarly_DownToNineTenths()
    {
        var rollup = new GoalRollup(new GoalOptions { MaxSpansInMemory = 1_000 }, Prices);
        for (ulong trace = 1; trace <= 3; trace++)
        {
            var builder = new TraceBuilder().Agent(300 + trace, 1, 0, 0, 100, "g" + trace);
            for (ulong i = 0; i < 399; i++)
            {
                builder.Tool(300 + trace, 10 + i, 1, 1, 2, "read_file", "c" + i);
            }

            rollup.Observe(builder.Build(), nowMs: (long)trace);
        }

        // 1,200 spans held, over 1,000: the first run goes (800 left, under 900).
        var early = Assert.Single(rollup.Sweep(10));
        Assert.Equal(("g1", 399), (early.GoalName, early.ToolCalls));
        Assert.Equal((800L, 2, 1L), (rollup.Stats.SpansInMemory, rollup.Stats.RunsInMemory, rollup.Stats.RunsFinalizedEarly));
    }

    [Fact]
    public void Observe_PastTheSpanLimit_FinalizesTheHeaviestTenantsRunsEarly_NotAQuietTenants()
    {
        var rollup = new GoalRollup(new GoalOptions { MaxSpansInMemory = 1_000 }, Prices);
        rollup.Observe(new TraceBuilder(tenant: "quiet").Agent(500, 1, 0, 0, 10, "quiet-goal").Build(), nowMs: 0);
        for (ulong trace = 1; trace <= 3; trace++)
        {
            var builder = new TraceBuilder(tenant: "noisy").Agent(600 + trace, 1, 0, 0, 100, "noisy" + trace);
            for (ulong i = 0; i < 399; i++)
            {
                builder.Tool(600 + trace, 10 + i, 1, 1, 2, "read_file", "c" + i);
            }

            rollup.Observe(builder.Build(), nowMs: (long)trace);
        }

        // The quiet tenant's run is idle longest, but the noisy tenant holds the spans: its oldest run goes.
        var early = Assert.Single(rollup.Sweep(10));
        Assert.Equal("noisy1", early.GoalName);
        Assert.Equal(3, rollup.Stats.RunsInMemory);
    }
}
