namespace TaskLens.Core.Findings;

/// <summary>The series continuous detection watches, every tenant at once, bucketed by <c>bucket</c> (whole minutes).</summary>
public interface IDetectionSeriesReader
{
    /// <summary>Goal figures per (tenant, goal, bucket of end time) in [since, until); buckets without runs are absent.</summary>
    Task<IReadOnlyList<GoalBucket>> GoalBucketsAsync(DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, CancellationToken cancellationToken);

    /// <summary>Per (tenant, service, bucket) in [since, until); buckets without spans are absent.</summary>
    Task<IReadOnlyList<ServiceBucket>> ServiceBucketsAsync(DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, CancellationToken cancellationToken);
}
