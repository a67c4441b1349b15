using TaskLens.Core.Goals;
using TaskLens.Detection.Runs;

namespace TaskLens.UnitTests.Detection;

public sealed class RunOutliersTests
{
    [Fact]
    public async Task JudgeAsync_NewRuns_RetrainOnlyOnceAQuarterOfTheTrainingRunsIsNew_AndNotSoonerThanTheInterval()
    {
        var stored = new StoredRuns(Enumerable.Range(0, 200).Select(i => Run(i)).ToList());
        var clock = new Clock();
        using var outliers = new RunOutliers(stored, clock);

        var (_, trainedOn) = await outliers.JudgeAsync(stored.Runs[5], CancellationToken.None);
        Assert.Equal((200, 1), (trainedOn, stored.Reads));

        // Runs it learnt from, judged again (by detection or a run page), are not new.
        foreach (var run in stored.Runs)
        {
            await outliers.JudgeAsync(run, CancellationToken.None);
        }

        Assert.Equal(1, stored.Reads);

        // Long after, 49 new runs (a quarter of 200 is 50): still the same model.
        clock.Now += RunOutliers.MinRetrainInterval;
        for (var i = 200; i < 249; i++)
        {
            stored.Runs.Add(Run(i));
            Assert.Equal(200, (await outliers.JudgeAsync(stored.Runs[^1], CancellationToken.None)).TrainedOn);
        }

        Assert.Equal(1, stored.Reads);

        // The 50th new run is judged by a model trained with it.
        stored.Runs.Add(Run(249));
        Assert.Equal(250, (await outliers.JudgeAsync(stored.Runs[^1], CancellationToken.None)).TrainedOn);
        Assert.Equal((2, 2L), (stored.Reads, outliers.Trainings));

        // Another quarter of new runs at once: trained again only once the interval has passed.
        for (var i = 250; i < 400; i++)
        {
            stored.Runs.Add(Run(i));
            Assert.Equal(250, (await outliers.JudgeAsync(stored.Runs[^1], CancellationToken.None)).TrainedOn);
        }

        clock.Now += RunOutliers.MinRetrainInterval;
        Assert.Equal(400, (await outliers.JudgeAsync(stored.Runs[^1], CancellationToken.None)).TrainedOn);
        Assert.Equal(3, stored.Reads);
    }

    [Fact]
    public async Task JudgeAsync_ANewRunJudgedAgainAndAgain_CountsOnceTowardRetraining()
    {
        var stored = new StoredRuns(Enumerable.Range(0, 200).Select(i => Run(i)).ToList());
        var clock = new Clock();
        using var outliers = new RunOutliers(stored, clock);
        await outliers.JudgeAsync(stored.Runs[0], CancellationToken.None);
        clock.Now += RunOutliers.MinRetrainInterval;

        // One new run judged 60 times (by detection's step, a re-finalization, its page opened): a quarter of 200 is 50
        // new runs, and this is one.
        stored.Runs.Add(Run(200));
        for (var i = 0; i < 60; i++)
        {
            Assert.Equal(200, (await outliers.JudgeAsync(stored.Runs[^1], CancellationToken.None)).TrainedOn);
        }

        Assert.Equal((1, 1L), (stored.Reads, outliers.Trainings));
    }

    [Fact]
    public async Task JudgeAsync_GoalWithTooFewRuns_AskedAgainOnceNewRunsCouldMakeAModel()
    {
        var stored = new StoredRuns(Enumerable.Range(0, 20).Select(i => Run(i)).ToList());
        using var outliers = new RunOutliers(stored);

        Assert.Equal(0, (await outliers.JudgeAsync(stored.Runs[0], CancellationToken.None)).TrainedOn);
        for (var i = 20; i < 29; i++)
        {
            stored.Runs.Add(Run(i));
            Assert.Equal(0, (await outliers.JudgeAsync(stored.Runs[^1], CancellationToken.None)).TrainedOn);
        }

        Assert.Equal(1, stored.Reads);
        stored.Runs.Add(Run(29));
        Assert.Equal(30, (await outliers.JudgeAsync(stored.Runs[^1], CancellationToken.None)).TrainedOn);
        Assert.Equal(2, stored.Reads);
    }

    private static GoalRun Run(int i) => new()
    {
        Tenant = "default", GoalName = "triage-inbox", RunId = $"r{i}", Rule = GoalRule.Explicit, Service = "agents", Outcome = GoalRunOutcome.Completed,
        StartUnixNano = (ulong)i * 1_000_000_000UL, EndUnixNano = ((ulong)i * 1_000_000_000UL) + (ulong)((100 + (i * 37 % 50)) * 1_000_000L),
        LlmCalls = 4 + (i % 3), ToolCalls = 4 + (i % 2), DbCalls = 4, HttpCalls = 4, FanOut = 16 + (i % 3), Depth = 1,
        InputTokens = 2_000 + (i * 13 % 400), OutputTokens = 500 + (i * 7 % 100), Cost = 0.01 + (i % 5 * 0.001), Version = 1,
    };

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>Storage as the model reads it: the goal's runs, newest first, counting the reads.</summary>
    private sealed class StoredRuns(List<GoalRun> runs) : IGoalReader
    {
        public List<GoalRun> Runs { get; } = runs;

        public int Reads { get; private set; }

        public Task<IReadOnlyList<GoalRun>> RunsAsync(GoalRunQuery query, CancellationToken cancellationToken)
        {
            Reads++;
            return Task.FromResult<IReadOnlyList<GoalRun>>(Runs.AsEnumerable().Reverse().Take(query.Limit).ToList());
        }

        public Task<IReadOnlyList<GoalFigures>> ListGoalsAsync(string tenant, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<GoalFigures>> SeriesAsync(string tenant, string goalName, DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GoalRun?> RunAsync(string tenant, string runId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlySet<string>> StoredRunIdsAsync(string tenant, IReadOnlyCollection<string> runIds, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<(string Tenant, string RunId)>> RunsToRebuildAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
