using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskLens.Core.Access;
using TaskLens.Core;
using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Briefs;
using TaskLens.Core.Goals;
using TaskLens.Core.Incidents;
using TaskLens.Core.Logs;
using TaskLens.Core.Metrics;
using TaskLens.Core.Slack;
using TaskLens.Core.Telemetry;
using TaskLens.Core.Traces;
using TaskLens.Storage.Access;
using TaskLens.Storage.Health;
using TaskLens.Storage.Alerts;
using TaskLens.Storage.Briefs;
using TaskLens.Storage.Findings;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Goals;
using TaskLens.Storage.Incidents;
using TaskLens.Storage.Logs;
using TaskLens.Storage.Metrics;
using TaskLens.Storage.Retention;
using TaskLens.Storage.Schema;
using TaskLens.Storage.Spans;
using TaskLens.Storage.State;
using TaskLens.Storage.Telemetry;

namespace TaskLens.Storage;

public static class StorageHostingExtensions
{
    /// <summary>
    /// Registers the ClickHouse client, the start-up schema migrator and the span writer and readers.
    /// Register the embedded ClickHouse (if any) before this, so it is up when the migrator runs.
    /// </summary>
    public static IHostApplicationBuilder AddTaskLensStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<ClickHouseOptions>(builder.Configuration, ClickHouseOptions.SectionName, o => o.Validate());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<StorageMeter>();
        builder.Services.AddSingleton<ISelfMetrics>(sp => sp.GetRequiredService<StorageMeter>());
        builder.Services.AddHealthChecks() // /readyz
            .AddCheck<ClickHouseReadiness>(ClickHouseReadiness.Name, tags: ["ready"])
            .AddCheck<StateStoreReadiness>(StateStoreReadiness.Name, tags: ["ready"]);
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ClickHouseOptions>>();
            var http = new HttpClient(ClickHouseClient.CreateHandler(), disposeHandler: true)
            {
                // The client applies its own per-request timeout; this one only must not cut it short.
                Timeout = Timeout.InfiniteTimeSpan,
            };
            return new ClickHouseClient(http, options.Value, sp.GetRequiredService<ILogger<ClickHouseClient>>()) { Meter = sp.GetRequiredService<StorageMeter>() };
        });
        builder.Services.AddHostedService<SchemaMigrator>();
        builder.Services.AddSingleton(sp => new RowBinaryBufferPool(retainBytes: sp.GetRequiredService<IOptions<ClickHouseOptions>>().Value.PooledInsertBytes));
        builder.Services.AddSingleton<SpanInserter>();
        builder.Services.AddHostedService<RetentionJob>();
        builder.Services.AddSingleton<SpanBatchWriter>();
        builder.Services.AddKeyedSingleton<ISpanRowSink>(SpanSinkKeys.Stored, (sp, _) => sp.GetRequiredService<SpanBatchWriter>());
        builder.Services.AddKeyedSingleton<ISpanRowSink>(SpanSinkKeys.StoredDirect, (sp, _) => sp.GetRequiredService<SpanInserter>());
        builder.Services.TryAddSingleton<ISpanRowSink>(sp => sp.GetRequiredKeyedService<ISpanRowSink>(SpanSinkKeys.Stored));
        builder.Services.TryAddKeyedSingleton<ISpanRowSink>(SpanSinkKeys.Direct, (sp, _) => sp.GetRequiredKeyedService<ISpanRowSink>(SpanSinkKeys.StoredDirect));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SpanBatchWriter>());
        builder.Services.AddSingleton<ITraceReader, TraceReader>();
        builder.Services.AddSingleton<IOperationReader, OperationReader>();
        builder.Services.AddSingleton<TableWriter>();
        builder.Services.AddSingleton<ILogSink>(sp => sp.GetRequiredService<TableWriter>());
        builder.Services.AddSingleton<IMetricSink>(sp => sp.GetRequiredService<TableWriter>());
        builder.Services.AddSingleton<IGoalRunSink>(sp => sp.GetRequiredService<TableWriter>());
        builder.Services.AddSingleton<IGoalReader, GoalReader>();
        builder.Services.AddSingleton<IStoredSpanCounter, StoredSpanCounter>();
        builder.Services.AddSingleton<IFindingSink>(sp => sp.GetRequiredService<TableWriter>());
        builder.Services.AddSingleton<IFindingReader, FindingReader>();
        builder.Services.AddSingleton<IDetectionSeriesReader, DetectionSeriesReader>();
        builder.Services.AddSingleton<IAlertIntakeStore, AlertIntakeStore>();
        builder.Services.AddSingleton<IIncidentStore, IncidentStore>();
        builder.Services.AddSingleton<ILogReader, LogReader>();
        builder.Services.AddSingleton<IMetricReader, MetricReader>();
        builder.Services.AddSingleton<IBriefEvidenceReader, BriefEvidenceReader>();
        AddStateDatabase(builder);
        return builder;
    }

    /// <summary>
    /// The app-state database (SQLite, or PostgreSQL when <c>TaskLens:State:Postgres</c> is set): stores add their tables with <c>services.AddSingleton(new StateSchema(...))</c>
    /// and open connections from <see cref="StateDatabase"/>.
    /// </summary>
    private static void AddStateDatabase(IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<StateOptions>(builder.Configuration, StateOptions.SectionName, o => o.Validate());
        builder.Services.AddSingleton<StateDatabase>();
        builder.Services.AddHostedService<StateMigrator>();
        builder.Services.AddHostedService<ClickHouseStateImport>();
        builder.Services.AddSingleton(IncidentStore.Schema);
        builder.Services.AddSingleton(AlertIntakeStore.Schema);
        builder.Services.AddSingleton(SlackStateStore.Schema);
        builder.Services.AddSingleton(BriefStore.Schema);
        builder.Services.AddSingleton<IBriefStore, BriefStore>();
        builder.Services.AddSingleton<ISlackStateStore, SlackStateStore>();
        builder.Services.AddSingleton(UserStore.Schema);
        builder.Services.AddSingleton(AccessKeyStore.Schema);
        builder.Services.AddSingleton<IUserStore, UserStore>();
        builder.Services.AddSingleton<IAccessKeyStore, AccessKeyStore>();
    }
}
