using Microsoft.Extensions.Logging;

namespace TaskLens.Core.Goals;

internal static partial class GoalLog
{
    [LoggerMessage(6110, LogLevel.Information, "Goal rollup: {Models} model prices from {PriceFile}; quiet period {QuietSeconds:0.#} s, abandoned after {AbandonMinutes:0.#} min")]
    public static partial void Started(ILogger logger, int models, string priceFile, double quietSeconds, double abandonMinutes);

    [LoggerMessage(6111, LogLevel.Warning, "Could not store {Runs} finalized goal runs; retrying with the next sweep")]
    public static partial void WriteFailed(ILogger logger, int runs, Exception exception);

    [LoggerMessage(6112, LogLevel.Warning, "Goal rollup at its memory limit: {Runs} open runs finalized early (TaskLens:Goals:MaxRunsInMemory)")]
    public static partial void FinalizedEarly(ILogger logger, long runs);

    [LoggerMessage(6113, LogLevel.Information, "Goal rollup: reloaded {Runs} runs that were open or had late spans when TaskLens last stopped")]
    public static partial void Rebuilt(ILogger logger, int runs);

    [LoggerMessage(6114, LogLevel.Warning, "Goal rollup: could not reload the runs open at the last stop; they stay as stored")]
    public static partial void RebuildFailed(ILogger logger, Exception exception);

    [LoggerMessage(6115, LogLevel.Warning, "Goal rollup: could not reload runs of tenant {Tenant} for their late spans; a run is asked for again by its next late span")]
    public static partial void ReloadFailed(ILogger logger, string tenant, Exception exception);

    [LoggerMessage(6116, LogLevel.Error, "Goal rollup failed on a stored batch; its spans are stored but not rolled up")]
    public static partial void ObserveFailed(ILogger logger, Exception exception);

    [LoggerMessage(6117, LogLevel.Warning, "Goal rollup: could not compare due runs of tenant {Tenant} with the spans stored of them; they are finalized from the spans this node holds")]
    public static partial void StoredSpanCheckFailed(ILogger logger, string tenant, Exception exception);
}
