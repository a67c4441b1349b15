using Microsoft.Extensions.Logging;

namespace TaskLens.Briefs;

/// <summary>Briefs' log messages (event ids 7000-7019). Prompts, narratives and evidence text are never logged.</summary>
internal static partial class BriefsLog
{
    [LoggerMessage(7000, LogLevel.Information, "Briefs: narratives by model {Model} at {Endpoint}")]
    public static partial void ModelConfigured(ILogger logger, string model, string endpoint);

    [LoggerMessage(7001, LogLevel.Information, "Briefs: no model endpoint configured (TaskLens:Llm:Endpoint); the facts brief is the brief")]
    public static partial void NoModel(ILogger logger);

    [LoggerMessage(7002, LogLevel.Information, "Brief v{Version} of incident {Id} ({Tenant}): narrative {Status} in {Milliseconds} ms (facts {FactsMilliseconds} ms)")]
    public static partial void Written(ILogger logger, string id, string tenant, long version, string status, long milliseconds, long factsMilliseconds);

    [LoggerMessage(7003, LogLevel.Warning, "Brief of incident {Id} ({Tenant}) could not be written; retried at the next change")]
    public static partial void WriteFailed(ILogger logger, string id, string tenant, Exception exception);

    [LoggerMessage(7004, LogLevel.Warning, "Brief of incident {Id}: narrative rejected: {Reason}")]
    public static partial void NarrativeRejected(ILogger logger, string id, string reason);

    [LoggerMessage(7005, LogLevel.Warning, "Brief of incident {Id}: the model could not be used: {Reason}")]
    public static partial void NarrativeFailed(ILogger logger, string id, string reason);

    [LoggerMessage(7006, LogLevel.Information, "Brief of incident {Id}: model budget spent for this hour ({Calls} calls); facts only")]
    public static partial void BudgetSpent(ILogger logger, string id, int calls);

    [LoggerMessage(7007, LogLevel.Warning, "Model request answered {Status}; retry {Attempt} in {DelayMs} ms")]
    public static partial void ModelRetry(ILogger logger, int status, int attempt, long delayMs);

    [LoggerMessage(7008, LogLevel.Warning, "Brief of incident {Id} ({Tenant}): other nodes wrote it {Attempts} times while this one tried; the stored brief stands")]
    public static partial void WriteContended(ILogger logger, string id, string tenant, int attempts);
}
