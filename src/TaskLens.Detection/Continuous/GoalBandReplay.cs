using TaskLens.Core.Findings;
using TaskLens.Core.Goals;

namespace TaskLens.Detection.Continuous;

/// <summary>
/// The band the production detector judged each step of a goal's series against, by replaying it: a
/// <see cref="SeriesMonitor"/> with the running settings (<see cref="DetectionOptions"/>) is fed the goal's stored
/// buckets step by step, from <see cref="DetectionOptions.History"/> before the window (what the running detector learns
/// at start) to its end, exactly as <see cref="DetectionRunner"/> feeds it; after each step the detector's
/// <see cref="CombinedDetector.LastBand"/> is read. The baseline behind the band depends on the last 1,024 steps (and,
/// for the daily model, the last three days), so the replay draws what the running detector used unless it has run for
/// more than two days without a restart and chose its daily model meanwhile.
/// </summary>
internal sealed class GoalBandReplay(IGoalReader goals, DetectionOptions options, TimeProvider time) : IGoalBandReader
{
    public async Task<GoalBands> ReadAsync(string tenant, string goal, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var step = options.Step;
        var steps = StepGrid.Of(since, until, step);
        // The history learnt first, within what one step grid holds (a longer History would cut off the window's end).
        var learnable = TimeSpan.FromTicks(step.Ticks * Math.Max(0, StepGrid.MaxSteps - steps.Count));
        var learnFrom = steps.Count == 0 ? since : steps[0] - (options.History < learnable ? options.History : learnable);
        var history = StepGrid.Of(learnFrom, until, step);

        // The runner reads buckets of ended runs; the goal series adds buckets where runs only started, which the
        // detector never sees.
        var stored = await goals.SeriesAsync(tenant, goal, learnFrom, until, step, cancellationToken);
        var byTime = stored.Where(f => f.Completed + f.Failed + f.Abandoned > 0).ToDictionary(f => f.Time);
        var metrics = SeriesMetrics.Goal;
        var bands = metrics.Select(_ => new Columns(steps.Count)).ToArray();
        var monitor = new SeriesMonitor(options.ToMonitorSettings());
        var now = time.GetUtcNow();
        var first = history.Count - steps.Count;
        for (var s = 0; s < history.Count; s++)
        {
            byTime.TryGetValue(history[s], out var figures);
            monitor.Observe(history[s], figures is null ? [] : [new GoalBucket(tenant, figures)], [], now, raise: false);
            if (s < first)
            {
                continue;
            }

            for (var m = 0; m < metrics.Count; m++)
            {
                var metric = metrics[m];
                var value = figures is null ? metric.WhenAbsent : metric.Read(figures);
                var judged = value is { } v && double.IsFinite(v);
                var (expected, lower, upper) = judged
                    ? monitor.BandOf(new SeriesKey(tenant, SeriesKey.GoalScope, goal, metric.Name))
                    : (double.NaN, double.NaN, double.NaN);
                bands[m].Set(s - first, judged ? value!.Value : double.NaN, expected, lower, upper);
            }
        }

        return new GoalBands(
            step,
            steps.Select(t => t.ToUnixTimeSeconds()).ToList(),
            metrics.Select((metric, m) => new GoalBand(metric.Name, metric.Words, metric.Unit, bands[m].Values, bands[m].Expected, bands[m].Lower, bands[m].Upper)).ToList(),
            new CombinedDetector.Settings().SpikeFloor);
    }

    private sealed class Columns(int count)
    {
        public double[] Values { get; } = new double[count];

        public double[] Expected { get; } = new double[count];

        public double[] Lower { get; } = new double[count];

        public double[] Upper { get; } = new double[count];

        public void Set(int i, double value, double expected, double lower, double upper) =>
            (Values[i], Expected[i], Lower[i], Upper[i]) = (value, expected, lower, upper);
    }
}
