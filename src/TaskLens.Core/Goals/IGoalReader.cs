namespace TaskLens.Core.Goals;

/// <summary>Reads goal runs and their figures for one tenant; latest finalization of each run only.</summary>
public interface IGoalReader
{
    /// <summary>Every goal with a run ending in [since, until), with its figures over that window.</summary>
    Task<IReadOnlyList<GoalFigures>> ListGoalsAsync(string tenant, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>One goal's figures per <paramref name="bucket"/> (whole minutes) in [since, until); buckets without runs are absent.</summary>
    Task<IReadOnlyList<GoalFigures>> SeriesAsync(
        string tenant, string goalName, DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, CancellationToken cancellationToken);

    Task<IReadOnlyList<GoalRun>> RunsAsync(GoalRunQuery query, CancellationToken cancellationToken);

    Task<GoalRun?> RunAsync(string tenant, string runId, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="runIds"/> have a stored run.</summary>
    Task<IReadOnlySet<string>> StoredRunIdsAsync(string tenant, IReadOnlyCollection<string> runIds, CancellationToken cancellationToken);

    /// <summary>
    /// Traces with spans starting since <paramref name="since"/> whose stored run (if any) holds fewer spans than are
    /// stored: the runs that were open, or had late spans, when TaskLens stopped. All tenants; at most
    /// <paramref name="limit"/>, most recent first.
    /// </summary>
    Task<IReadOnlyList<(string Tenant, string RunId)>> RunsToRebuildAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken);
}
