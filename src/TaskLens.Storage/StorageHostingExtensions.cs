using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskLens.Core.Alerts;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Goals;
using TaskLens.Core.Incidents;
using TaskLens.Core.Logs;
using TaskLens.Core.Metrics;
using TaskLens.Core.Slack;
using TaskLens.Core.Telemetry;
using TaskLens.Core.Traces;
using TaskLens.Storage.Alerts;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Goals;
using TaskLens.Storage.Incidents;
using TaskLens.Storage.Logs;
using TaskLens.Storage.Metrics;
using TaskLens.Storage.Schema;
using TaskLens.Storage.Spans;
using TaskLens.Storage.State;
using TaskLens.Storage.Telemetry;

namespace TaskLens.Storage;

public static class StorageHostingExtensions
{
    public const string SectionName = "TaskLens:ClickHouse";

    /// <summary>
    /// Registers the ClickHouse client, the start-up schema migrator and the span writer and readers.
    /// Register the embedded ClickHouse (if any) before this, so it is up when the migrator runs.
    /// </summary>
    public static IHostApplicationBuilder AddTaskLensStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ClickHouseOptions>()
            .Bind(builder.Configuration.GetSection(SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ClickHouseOptions>, ClickHouseOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ClickHouseOptions>>();
            var http = new HttpClient(ClickHouseClient.CreateHandler(), disposeHandler: true)
            {
                // The client applies its own per-request timeout; this one only must not cut it short.
                Timeout = Timeout.InfiniteTimeSpan,
            };
            return new ClickHouseClient(http, options.Value, sp.GetRequiredService<ILogger<ClickHouseClient>>());
        });
        builder.Services.AddHostedService<SchemaMigrator>();
        builder.Services.AddSingleton<SpanBatchWriter>();
        builder.Services.AddSingleton<ISpanSink>(sp => sp.GetRequiredService<SpanBatchWriter>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SpanBatchWriter>());
        builder.Services.AddSingleton<ITraceReader, TraceReader>();
        builder.Services.AddSingleton<IOperationReader, OperationReader>();
        builder.Services.AddSingleton<TableWriter>();
        builder.Services.AddSingleton<ILogSink>(sp => sp.GetRequiredService<TableWriter>());
        builder.Services.AddSingleton<IMetricSink>(sp => sp.GetRequiredService<TableWriter>());
        builder.Services.AddSingleton<IGoalRunSink>(sp => sp.GetRequiredService<TableWriter>());
        builder.Services.AddSingleton<IGoalReader, GoalReader>();
        builder.Services.AddSingleton<IAlertSink>(sp => sp.GetRequiredService<TableWriter>());
        builder.Services.AddSingleton<IAlertReader, AlertReader>();
        builder.Services.AddSingleton<IDetectionSeriesReader, DetectionSeriesReader>();
        builder.Services.AddSingleton<IAlertIntakeStore, AlertIntakeStore>();
        builder.Services.AddSingleton<IIncidentStore, IncidentStore>();
        builder.Services.AddSingleton<ILogReader, LogReader>();
        builder.Services.AddSingleton<IMetricReader, MetricReader>();
        AddStateDatabase(builder);
        return builder;
    }

    /// <summary>
    /// The app-state database (SQLite): stores add their tables with <c>services.AddSingleton(new StateSchema(...))</c>
    /// and open connections from <see cref="StateDatabase"/>.
    /// </summary>
    private static void AddStateDatabase(IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StateOptions>()
            .Bind(builder.Configuration.GetSection(StateOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StateOptions>, StateOptionsValidator>();
        builder.Services.AddSingleton<StateDatabase>();
        builder.Services.AddHostedService<StateMigrator>();
        builder.Services.AddSingleton(SlackStateStore.Schema);
        builder.Services.AddSingleton<ISlackStateStore, SlackStateStore>();
    }
}
