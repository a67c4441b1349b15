namespace TaskLens.Core.Goals;

/// <summary>How goals are found and when their runs are final (section <c>TaskLens:Goals</c>); see docs/goals.md.</summary>
public sealed class GoalOptions
{
    public const string SectionName = "TaskLens:Goals";

    /// <summary>DESIGN.md's precedence.</summary>
    public static readonly IReadOnlyList<GoalRule> DefaultRules =
        [GoalRule.Explicit, GoalRule.Workflow, GoalRule.Agent, GoalRule.Framework, GoalRule.Root];

    /// <summary>
    /// The goal rules tried in order, first match wins; empty means <see cref="DefaultRules"/>. (A list bound from
    /// configuration is appended to what it already holds, so the defaults cannot live in it.)
    /// </summary>
    public IList<GoalRule> Rules { get; } = [];

    public IReadOnlyList<GoalRule> EffectiveRules => Rules.Count == 0 ? DefaultRules : [.. Rules];

    public string GoalIdAttribute { get; set; } = "tasklens.goal.id";
    public string GoalNameAttribute { get; set; } = "tasklens.goal.name";

    /// <summary>A run whose goal span has arrived is final once no new span of its trace arrived for this long.</summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A run whose goal span has not arrived this long after its first span is abandoned.</summary>
    public TimeSpan AbandonAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a finalized run keeps its span ids (8 bytes a span, not its spans), so a duplicate folds and a late span
    /// has the run reloaded from storage and finalized again (<see cref="GoalRollupStats.RunsReloaded"/>). After that
    /// a late span is recognised by its trace alone (a million traces remembered) and the run is reloaded the same way.
    /// </summary>
    public TimeSpan KeepFinalizedFor { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Runs held in memory, open or kept after finalization. Past it the oldest finalized runs are let go first, then
    /// the open runs idle longest are finalized early as they stand (<see cref="GoalRollupStats.RunsFinalizedEarly"/>).
    /// Sized for ~3,000 traces a second held through the default quiet period (docs/goals.md, memory bounds).
    /// </summary>
    public int MaxRunsInMemory { get; set; } = 100_000;

    /// <summary>
    /// Spans held in memory over all open runs (82-96 bytes each, docs/goals.md): the bound that matters at agent rates.
    /// Past it room is made as past <see cref="MaxRunsInMemory"/>. Finalized runs' span ids (8 bytes each) are bounded
    /// by the same number on their own: past it the oldest finalized runs are let go. The default holds 50,000 spans a second through the default
    /// quiet period with room to spare: room is made down to nine tenths, and a run is held a little past its quiet
    /// period (the sweep interval, and the spread of its own spans' arrival).
    /// </summary>
    public long MaxSpansInMemory { get; set; } = 2_000_000;

    /// <summary>
    /// Spans of one run held individually. Past it a run keeps only the span ids (so duplicates are still folded)
    /// and adds the spans' counts, tokens, cost, errors and throttling to its totals; fan-out, depth and the
    /// critical path are then computed from the spans held (<see cref="GoalRun.SpansNotTracked"/> says how many not).
    /// </summary>
    public int MaxSpansPerRun { get; set; } = 20_000;

    /// <summary>How often open runs are checked for completion.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs finalized within this long of the last <c>goal_runs</c> insert wait for the next one, so a steady flow of
    /// runs is stored a few times a minute rather than every sweep: each insert is a part ClickHouse writes and merges
    /// again (docs/ingest.md, "What ClickHouse does per span"). A run finalized after a quiet spell is stored by the sweep
    /// that finalizes it. At most <see cref="QuietPeriod"/> (a shorter quiet period asks for runs sooner). Zero, the
    /// default, stores every sweep that finalizes runs: no gain of a longer interval was measured (session 11, load 18-47),
    /// and it delays detection's judging by as much (<see cref="RunsStoredWithin"/>).
    /// </summary>
    public TimeSpan WriteInterval { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Finalized runs waiting for <see cref="WriteInterval"/> are stored at once when this many wait, so a burst is not
    /// held in memory for the whole interval (and one insert stays a bounded size).
    /// </summary>
    public int MaxRunsWaitingToWrite { get; set; } = 5_000;

    /// <summary><see cref="WriteInterval"/> as applied: never longer than <see cref="QuietPeriod"/>.</summary>
    public TimeSpan EffectiveWriteInterval => WriteInterval < QuietPeriod ? WriteInterval : QuietPeriod;

    /// <summary>How long after its last span a run is stored at the latest (a sweep aside): the quiet period and the write interval.</summary>
    public TimeSpan RunsStoredWithin => QuietPeriod + EffectiveWriteInterval;

    /// <summary>
    /// Before finalizing runs, ask storage how many spans of their traces it holds (one lookup per sweep and tenant), and
    /// reload a trace that has spans this node has not seen: with several TaskLens nodes, spans of one trace that reached
    /// another node (routing by trace id is not perfect) still count. Off saves that lookup on a single node; with the
    /// embedded ClickHouse (which no other node can write to) the server turns it off unless it is configured.
    /// </summary>
    public bool CheckStoredSpans { get; set; } = true;

    /// <summary>The model price table (JSON, see docs/goals.md); relative paths are from the application directory.</summary>
    public string PriceFile { get; set; } = "model-prices.json";

    /// <summary>Every problem with these settings, for start-up to list at once.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (QuietPeriod <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:QuietPeriod must be positive.");
        }

        if (AbandonAfter <= QuietPeriod)
        {
            errors.Add($"{SectionName}:AbandonAfter must be longer than QuietPeriod.");
        }

        if (KeepFinalizedFor < TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:KeepFinalizedFor must not be negative.");
        }

        if (MaxRunsInMemory < 10)
        {
            errors.Add($"{SectionName}:MaxRunsInMemory must be at least 10.");
        }

        if (MaxSpansInMemory < 1_000)
        {
            errors.Add($"{SectionName}:MaxSpansInMemory must be at least 1000.");
        }

        if (MaxSpansPerRun < 1)
        {
            errors.Add($"{SectionName}:MaxSpansPerRun must be at least 1.");
        }

        if (WriteInterval < TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:WriteInterval must not be negative.");
        }

        if (MaxRunsWaitingToWrite < 1)
        {
            errors.Add($"{SectionName}:MaxRunsWaitingToWrite must be at least 1.");
        }

        if (SweepInterval <= TimeSpan.Zero || SweepInterval > QuietPeriod)
        {
            errors.Add($"{SectionName}:SweepInterval must be positive and no longer than QuietPeriod.");
        }

        if (Rules.Any(r => !Enum.IsDefined(r) || r == GoalRule.None) || Rules.Distinct().Count() != Rules.Count)
        {
            errors.Add($"{SectionName}:Rules lists each of Explicit, Workflow, Agent, Framework, Root at most once.");
        }

        if (string.IsNullOrWhiteSpace(GoalIdAttribute) || string.IsNullOrWhiteSpace(GoalNameAttribute))
        {
            errors.Add($"{SectionName}:GoalIdAttribute and GoalNameAttribute must not be empty.");
        }

        return errors;
    }
}
