using TaskLens.Core.Goals;

namespace TaskLens.Detection.Runs;

/// <summary>
/// What a finished goal run is described by for run-level outliers: duration, sub-tasks, fan-out, depth, tokens, cost,
/// the tool mix (LLM, tool, database and HTTP calls), errors and retries — each with the words a reason uses.
/// </summary>
public static class RunFeatures
{
    public const int Count = 12;

    /// <summary>Per feature: its name, and how a reason says "more than usual" of it.</summary>
    public static IReadOnlyList<(string Name, string More)> Names { get; } =
    [
        ("duration", "took"), ("sub-tasks", "ran sub-tasks"), ("fan-out", "fanned out"), ("depth", "nested"),
        ("tokens", "used tokens"), ("cost", "cost"), ("llm calls", "called the LLM"), ("tool calls", "called tools"),
        ("database calls", "queried databases"), ("http calls", "made HTTP calls"), ("errors", "failed sub-tasks"), ("retries", "retried"),
    ];

    /// <summary>The run's raw figures, in the order of <see cref="Names"/>.</summary>
    public static double[] Of(GoalRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return
        [
            run.DurationNano / 1e6, run.SubTasks, run.FanOut, run.Depth, run.InputTokens + run.OutputTokens, run.Cost ?? 0,
            run.LlmCalls, run.ToolCalls, run.DbCalls, run.HttpCalls, run.Errors, run.Retries,
        ];
    }
}
