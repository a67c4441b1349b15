namespace TaskLens.Core.Goals;

/// <summary>A page of one goal's runs that ended in [From, To), newest first.</summary>
public sealed record GoalRunQuery(
    string Tenant, string GoalName, DateTimeOffset From, DateTimeOffset To, GoalRunOutcome? Outcome, int Offset, int Limit);
