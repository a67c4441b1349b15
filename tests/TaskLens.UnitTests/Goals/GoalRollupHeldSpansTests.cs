using TaskLens.Core.Goals;

namespace TaskLens.UnitTests.Goals;

/// <summary>
/// Held spans live in pooled arrays (<see cref="HeldSpanStore"/>): a finalized run gives them back, the next runs take
/// them, and nothing of one run shows in another's figures.
/// </summary>
public sealed class GoalRollupHeldSpansTests
{
    private const long Quiet = 30_000;
    private static readonly ModelPriceTable Prices = ModelPriceTable.Parse("""{"models": {"gpt-4o": {"input": 2.5, "output": 10}}}""");

    [Fact]
    public void Sweep_RunsFinalizedOneAfterAnother_ReuseTheArrays_AndEachRunHasOnlyItsOwnFigures()
    {
        var rollup = new GoalRollup(new GoalOptions(), Prices);
        rollup.Observe(AgentRun(1, 40).Build(), nowMs: 0);
        var runs = rollup.Sweep(Quiet).ToList();
        var made = rollup.HeldSpans.Spans.Made;

        // Once the first is finalized, runs of more sub-tasks and a last one the size of the first, held together
        // (within a trim's 30 s, or the first run's array would be let go as idle).
        foreach (var (trace, subTasks) in new[] { (2UL, 80), (3UL, 120), (4UL, 160), (5UL, 40) })
        {
            rollup.Observe(AgentRun(trace, subTasks).Build(), nowMs: Quiet + (long)trace);
        }

        runs.AddRange(rollup.Sweep((2 * Quiet) + 5).OrderBy(r => r.LlmCalls));

        Assert.Equal([40, 40, 80, 120, 160], runs.Select(r => r.LlmCalls));
        Assert.Equal([40 * 7, 40 * 7, 80 * 7, 120 * 7, 160 * 7], runs.Select(r => r.InputTokens));
        Assert.All(runs, r => Assert.Equal(((ulong)r.LlmCalls + 1, 0), (r.Version, r.Errors)));

        // The last run took the array the first gave back; the three larger ones made theirs.
        Assert.Equal(made + 3, rollup.HeldSpans.Spans.Made);
        Assert.Equal(0L, rollup.Stats.SpansInMemory);
    }

    [Fact]
    public void Reload_LateSpanAfterAnotherRunTookTheArrays_ReFinalizesFromTheStoredSpansOnly()
    {
        var rollup = new GoalRollup(new GoalOptions(), Prices);
        rollup.Observe(AgentRun(1, 30).Build(), nowMs: 0);
        var first = Assert.Single(rollup.Sweep(Quiet));

        // Another run takes the arrays the first gave back, then a late span of the first has it reloaded.
        rollup.Observe(AgentRun(2, 30, failing: true).Build(), nowMs: Quiet + 1);
        rollup.Observe(new TraceBuilder().Tool(1, 500, 100, 5, 9, "web_search", "late").Build(), nowMs: Quiet + 2);
        Assert.Equal(("default", 0x0102030405060708UL, 1UL), Assert.Single(rollup.TakeReloads()));
        rollup.Reload(AgentRun(1, 30).Tool(1, 500, 100, 5, 9, "web_search", "late").Build(), nowMs: Quiet + 3);

        var again = rollup.Sweep((2 * Quiet) + 3).OrderBy(r => r.RunId).ToList();
        Assert.Equal(2, again.Count);
        Assert.Equal((30, 1, 32UL, 0), (again[0].LlmCalls, again[0].ToolCalls, again[0].Version, again[0].Errors));
        Assert.Equal(first.RunId, again[0].RunId);
        Assert.Equal((30, 0, 31UL), (again[1].LlmCalls, again[1].ToolCalls, again[1].Version));
        Assert.True(again[1].Errors > 0);
    }

    [Fact]
    public void Observe_ManyRunsFinalizedAtOnce_KeepsTheCountsAndThePoolsWithinTheirBounds()
    {
        var rollup = TwentyRunsUnderASmallBound();

        Assert.Equal(620L, rollup.Stats.SpansInMemory);
        Assert.Equal(20, rollup.Sweep(Quiet).Count);
        Assert.Equal((0L, 620L), (rollup.Stats.SpansInMemory, rollup.Stats.FinalizedSpanIdsInMemory));

        // An eighth of the cap's spans (125 × 48 bytes): the 20 runs' arrays of 32 spans do not all fit.
        var store = rollup.HeldSpans;
        Assert.InRange(store.Spans.FreeBytes, 1, 1_000 / 8 * 48);
        Assert.InRange(store.Slots.FreeBytes, 1, 1_000 / 8 * 2 * sizeof(int));
        Assert.Equal(20, store.Spans.Made);
    }

    [Fact]
    public void Sweep_AfterABurstOfLargeRuns_LetsGoOfTheirIdleArrays_AndSmallRunsReuseTheirOwn()
    {
        var rollup = new GoalRollup(new GoalOptions(), Prices);
        var store = rollup.HeldSpans;

        // Four runs of 1,100 spans: each a first array of 1,024 spans and a chunk of 1,024, given back when finalized.
        for (ulong trace = 1; trace <= 4; trace++)
        {
            rollup.Observe(AgentRun(trace, 1_099).Build(), nowMs: 0);
        }

        Assert.Equal(4, rollup.Sweep(Quiet).Count);
        Assert.Equal(8 * RunSpanSet.ChunkSize * 48L, store.Spans.FreeBytes);

        // Then small runs, one a second, each finalized a quiet period later: no rent takes the large arrays.
        var made = new List<long>();
        for (long second = 1; second <= 100; second++)
        {
            rollup.Observe(AgentRun(100 + (ulong)second, 30).Build(), nowMs: Quiet + (second * 1_000));
            rollup.Sweep(Quiet + (second * 1_000));
            made.Add(store.Spans.Made);
        }

        // The sweeps' trims let the large arrays go (one at 30 s starts counting, the next finds them idle); the small
        // runs' arrays of 32 spans are reused from run to run, so no array is made once the first runs were finalized.
        Assert.InRange(store.Spans.FreeBytes, 1, RunSpanSet.ChunkSize * 48L - 1);
        Assert.Equal(8, store.Spans.LetGo);
        Assert.Equal(made[40], made[^1]);
    }

    [Fact]
    public void Sweep_OpenSpansNearTheBound_KeepsFreeSpanArraysWithinTheRoomLeft()
    {
        var rollup = TwentyRunsUnderASmallBound();

        rollup.Sweep(Quiet);
        var store = rollup.HeldSpans;
        Assert.True(store.Spans.FreeBytes > 50 * 48, $"{store.Spans.FreeBytes} bytes free");

        // One open run of 950 spans (an array of 960, none of that length free) leaves room for 50 spans' arrays.
        rollup.Observe(AgentRun(21, 949).Build(), nowMs: Quiet + 1);
        rollup.Sweep(Quiet + 2);

        Assert.Equal(950L, rollup.Stats.SpansInMemory);
        Assert.InRange(store.Spans.FreeBytes, 1, 50 * 48);
    }

    /// <summary>A rollup bounded at 1,000 spans holding 20 open runs of 31 spans (arrays of 32), observed at 0.</summary>
    private static GoalRollup TwentyRunsUnderASmallBound()
    {
        var rollup = new GoalRollup(new GoalOptions { MaxSpansInMemory = 1_000 }, Prices);
        for (ulong trace = 1; trace <= 20; trace++)
        {
            rollup.Observe(AgentRun(trace, 30).Build(), nowMs: 0);
        }

        return rollup;
    }

    /// <summary>An agent span (id 100) and <paramref name="calls"/> LLM calls of 7 input tokens under it.</summary>
    private static TraceBuilder AgentRun(ulong trace, int calls, bool failing = false)
    {
        var builder = new TraceBuilder().Agent(trace, 100, 0, 0, 1_000, "planner");
        for (var i = 0; i < calls; i++)
        {
            builder.Llm(trace, 200 + (ulong)i, 100, i, i + 1, "gpt-4o", input: 7, output: 1, error: failing && i == calls - 1 ? "boom" : null);
        }

        return builder;
    }
}
