using TaskLens.Core.Goals;
using TaskLens.Detection.Runs;
using Xunit.Abstractions;

namespace TaskLens.UnitTests.Detection;

public sealed class RunOutlierModelTests(ITestOutputHelper output)
{
    [Fact]
    public void Judge_AgentSimRunawayLoops_AmongNormalRuns_AreFlaggedWithAReason_PrecisionAndRecallReported()
    {
        // As AgentSim plays them: a fan-out of sub-tasks split a quarter each into LLM, tool, database and HTTP calls,
        // latency 5-400 ms each, a few errors and 429 retries; a runaway run adds the same tool call ten times the fan-out.
        var random = new Random(7);
        var runs = Enumerable.Range(0, 400).Select(i => Run(random, $"r{i}", runaway: i % 25 == 7)).ToList();
        var model = RunOutlierModel.Train("triage-inbox", runs)!;

        var flagged = runs.Select(r => (Run: r, Outlier: model.Judge(r))).Where(x => x.Outlier is not null).ToList();
        var truth = runs.Where(r => r.RunId.EndsWith('L')).Select(r => r.RunId).ToHashSet();
        var right = flagged.Count(f => truth.Contains(f.Run.RunId));
        var precision = flagged.Count == 0 ? 0 : (double)right / flagged.Count;
        var recall = (double)right / truth.Count;
        output.WriteLine($"{truth.Count} runaway runs among {runs.Count}: {flagged.Count} flagged, precision {precision:P1}, recall {recall:P1}");

        Assert.True(precision >= 0.9 && recall >= 0.9, $"precision {precision:P1}, recall {recall:P1}");
        var loop = flagged.First(f => truth.Contains(f.Run.RunId)).Outlier!;
        Assert.Equal("tool calls", loop.Feature);
        Assert.Matches(@"^this run called tools \d+(\.\d)?× more than usual \(\d+ tool calls, usually \d+\)$", loop.Reason);
    }

    [Fact]
    public void Train_TooFewRuns_GivesNoModel() =>
        Assert.Null(RunOutlierModel.Train("g", Enumerable.Range(0, 10).Select(i => Run(new Random(i), $"r{i}", runaway: false)).ToList()));

    private static GoalRun Run(Random random, string id, bool runaway)
    {
        var fanOut = 16 + random.Next(-4, 5);
        var quarter = fanOut / 4;
        var loop = runaway ? fanOut * 10 : 0;
        var throttled = random.Next(10) == 0 ? 1 : 0;
        return new GoalRun
        {
            Tenant = "default", GoalName = "triage-inbox", RunId = runaway ? id + "L" : id, Rule = GoalRule.Explicit, Service = "agents",
            Outcome = runaway ? GoalRunOutcome.Failed : GoalRunOutcome.Completed, StartUnixNano = 1, EndUnixNano = 1 + (ulong)((60 + random.Next(400) + loop * 5) * 1_000_000L),
            LlmCalls = quarter + throttled, ToolCalls = quarter + loop, DbCalls = quarter, HttpCalls = fanOut - (3 * quarter), FanOut = fanOut + loop, Depth = 1,
            InputTokens = quarter * (400 + random.Next(200)), OutputTokens = quarter * (100 + random.Next(100)), Cost = quarter * 0.002 * (0.8 + (random.NextDouble() * 0.4)),
            Errors = random.Next(20) == 0 ? 1 : 0, Retries = throttled, Version = 1,
        };
    }
}
