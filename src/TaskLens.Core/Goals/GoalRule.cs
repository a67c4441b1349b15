namespace TaskLens.Core.Goals;

/// <summary>
/// The rules that find a trace's goal span, in DESIGN.md's precedence (lowest number wins). Persisted with each run
/// so a reader can see why a span was taken as the goal: never renumber.
/// </summary>
public enum GoalRule : byte
{
    /// <summary><c>tasklens.goal.id</c> or <c>tasklens.goal.name</c> on the span.</summary>
    Explicit = 1,

    /// <summary>The outermost <c>gen_ai.operation.name = invoke_workflow</c>; named by <c>gen_ai.workflow.name</c>.</summary>
    Workflow = 2,

    /// <summary>The outermost <c>invoke_agent</c>; named by <c>gen_ai.agent.name</c>, then <c>gen_ai.agent.id</c>.</summary>
    Agent = 3,

    /// <summary><c>traceloop.span.kind = workflow</c> or <c>openinference.span.kind = AGENT</c>.</summary>
    Framework = 4,

    /// <summary>The trace's root span (no parent); named service + span name.</summary>
    Root = 5,

    /// <summary>No rule matched: the span carries no goal marker and has a parent.</summary>
    None = 255,
}
