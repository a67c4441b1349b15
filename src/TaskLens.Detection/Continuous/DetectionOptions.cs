using Microsoft.Extensions.Configuration;

namespace TaskLens.Detection.Continuous;

/// <summary>Continuous detection settings (<c>TaskLens:Detection</c>).</summary>
public sealed class DetectionOptions
{
    public const string SectionName = "TaskLens:Detection";

    public bool Enabled { get; set; } = true;

    /// <summary>Bucket width of every watched series; whole minutes.</summary>
    public TimeSpan Step { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long after a step ends it is judged at the earliest: goal runs are stored a quiet period after their last span
    /// (TaskLens:Goals:QuietPeriod), plus at most the goals' write interval (TaskLens:Goals:WriteInterval, 0 by default),
    /// so this must be longer than that; unset, it is that + 15 s. The step also waits for the rollup's watermark to pass
    /// its end by what this adds to that (<see cref="WaitForRunsAtMost"/>).
    /// </summary>
    public TimeSpan? Delay { get; set; }

    /// <summary>
    /// How long past <see cref="Delay"/> a step waits for this node's goal runs to be stored (the rollup's watermark,
    /// <c>IGoalRunWatermark</c>) before it is judged without them; each such step is counted and logged (6125).
    /// </summary>
    public TimeSpan WaitForRunsAtMost { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>History read at start so the detectors know each series' normal before judging new steps.</summary>
    public TimeSpan History { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A goal or service with no data for this long stops being watched.</summary>
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Steps back a goal's trouble counts against calling a service spike mere context.</summary>
    public int ContextSteps { get; set; } = 5;

    /// <summary>Calm steps after which a raised finding ends (is resolved).</summary>
    public int RecoverAfterSteps { get; set; } = 15;

    /// <summary>Series watched at most (about 117 KB each at one-minute steps).</summary>
    public int MaxSeries { get; set; } = 5_000;

    /// <summary>Series one tenant may have watched, so one tenant cannot take every place from the others.</summary>
    public int MaxSeriesPerTenant { get; set; } = 2_000;

    /// <summary>Per-goal limits checked beside the learned detectors.</summary>
    public List<GoalLimit> Limits { get; set; } = [];

    public IEnumerable<string> Validate()
    {
        if (Step < TimeSpan.FromMinutes(1) || Step.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            yield return $"{SectionName}:Step must be whole minutes (is {Step}).";
        }

        if (Delay is { } delay && delay <= RunsStoredWithin)
        {
            yield return $"{SectionName}:Delay ({Delay}) must be longer than TaskLens:Goals:QuietPeriod + WriteInterval ({RunsStoredWithin}): goal runs are stored that long after their last span.";
        }

        if (WaitForRunsAtMost < TimeSpan.Zero)
        {
            yield return $"{SectionName}:WaitForRunsAtMost must not be negative (is {WaitForRunsAtMost}).";
        }

        if (History < TimeSpan.Zero || ForgetAfter <= TimeSpan.Zero || ContextSteps < 0 || MaxSeries < 1 || MaxSeriesPerTenant < 1 || RecoverAfterSteps < 1)
        {
            yield return $"{SectionName}: History, ForgetAfter and ContextSteps cannot be negative (ForgetAfter, MaxSeries, MaxSeriesPerTenant and RecoverAfterSteps above zero).";
        }

        foreach (var limit in Limits)
        {
            if (string.IsNullOrWhiteSpace(limit.Goal))
            {
                yield return $"{SectionName}:Limits: every limit names a goal, or * for all.";
            }

            if (limit.MinCompletionRate is < 0 or > 1)
            {
                yield return $"{SectionName}:Limits '{limit.Goal}': MinCompletionRate is a share, 0 to 1.";
            }

            if (limit.MaxCostPerHour < 0 || limit.MaxFanOut < 0 || limit.MinRuns < 1)
            {
                yield return $"{SectionName}:Limits '{limit.Goal}': MaxCostPerHour and MaxFanOut cannot be negative; MinRuns is at least 1.";
            }
        }
    }

    internal MonitorSettings ToMonitorSettings() => new(Step, ForgetAfter, ContextSteps, Limits, MaxSeries, RecoverAfterSteps, MaxSeriesPerTenant);

    /// <summary>Binds the section; the delay is resolved against when goal runs are stored, so it is always set after this.</summary>
    internal static DetectionOptions From(IConfiguration configuration, TimeSpan runsStoredWithin)
    {
        var options = configuration.GetSection(SectionName).Get<DetectionOptions>() ?? new DetectionOptions();
        options.RunsStoredWithin = runsStoredWithin;
        return options;
    }

    /// <summary>
    /// How long after its last span a goal run is stored at the latest: the goals' quiet period plus their effective write
    /// interval (<c>GoalOptions.RunsStoredWithin</c>), set by <see cref="From"/> or, in the host, from the goals' options.
    /// </summary>
    internal TimeSpan RunsStoredWithin { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long after its end a step is judged at the earliest: <see cref="Delay"/>, or <see cref="RunsStoredWithin"/> + 15 s.</summary>
    internal TimeSpan JudgedAfter => Delay ?? RunsStoredWithin + TimeSpan.FromSeconds(15);

    /// <summary>
    /// The part of <see cref="JudgedAfter"/> beyond when runs are stored: how long after a step ends its runs' last spans
    /// are taken to have reached the rollup (the SDKs' export interval and ingest), so a step waits for the watermark to
    /// pass its end by this much.
    /// </summary>
    internal TimeSpan SpansArriveWithin => JudgedAfter - RunsStoredWithin;
}
