using TaskLens.Core.Goals;

namespace TaskLens.Core.Findings;

/// <summary>One goal's figures over one bucket, for one tenant.</summary>
public sealed record GoalBucket(string Tenant, GoalFigures Figures);

/// <summary>One service's rate, errors and duration (all its operations) over one bucket, for one tenant.</summary>
public sealed record ServiceBucket(string Tenant, string Service, DateTimeOffset Time, long Requests, long Errors, double DurationP95Ms);
