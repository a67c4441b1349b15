namespace TaskLens.Core.Goals;

/// <summary>How goals are found and when their runs are final (section <c>TaskLens:Goals</c>); see docs/goals.md.</summary>
public sealed class GoalOptions
{
    public const string Section = "TaskLens:Goals";

    /// <summary>The goal rules tried in order, first match wins (DESIGN.md's precedence by default).</summary>
    public IList<GoalRule> Rules { get; } =
        [GoalRule.Explicit, GoalRule.Workflow, GoalRule.Agent, GoalRule.Framework, GoalRule.Root];

    public string GoalIdAttribute { get; set; } = "tasklens.goal.id";
    public string GoalNameAttribute { get; set; } = "tasklens.goal.name";

    /// <summary>A run whose goal span has arrived is final once no new span of its trace arrived for this long.</summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A run whose goal span has not arrived this long after its first span is abandoned.</summary>
    public TimeSpan AbandonAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a finalized run stays in memory so a late span re-finalizes it from every span, not just the late
    /// one. After that a late span is counted (<see cref="GoalRollupStats.LateSpansDropped"/>) and not rolled up.
    /// </summary>
    public TimeSpan KeepFinalizedFor { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Runs held in memory, open or kept after finalization. Past it the oldest finalized runs are let go first, then
    /// the open runs idle longest are finalized early as they stand (<see cref="GoalRollupStats.RunsFinalizedEarly"/>).
    /// </summary>
    public int MaxRunsInMemory { get; set; } = 20_000;

    /// <summary>
    /// Spans of one run held individually. Past it a run keeps only the span ids (so duplicates are still folded)
    /// and adds the spans' counts, tokens, cost, errors and throttling to its totals; fan-out, depth and the
    /// critical path are then computed from the spans held (<see cref="GoalRun.SpansNotTracked"/> says how many not).
    /// </summary>
    public int MaxSpansPerRun { get; set; } = 20_000;
}
