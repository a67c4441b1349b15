namespace TaskLens.Core.Goals;

/// <summary>The goal markers one span carries; a trace's goal span is chosen from them by the configured rule order.</summary>
[Flags]
public enum GoalMarkers : byte
{
    None = 0,
    Explicit = 1,
    Workflow = 2,
    Agent = 4,
    Framework = 8,
}
