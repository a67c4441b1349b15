namespace TaskLens.Detection.Continuous;

/// <summary>One watched series: a goal's or a service's metric, per tenant.</summary>
public sealed record SeriesKey(string Tenant, string Scope, string Subject, string Metric)
{
    public const string GoalScope = "goal";
    public const string ServiceScope = "service";
}
