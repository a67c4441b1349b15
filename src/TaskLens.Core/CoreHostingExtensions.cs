using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TaskLens.Core.Access;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Goals;
using TaskLens.Core.Incidents;
using TaskLens.Core.Logs;
using TaskLens.Core.Metrics;
using TaskLens.Core.Overview;
using TaskLens.Core.Traces;

namespace TaskLens.Core;

public static class CoreHostingExtensions
{
    /// <summary>
    /// Core's application services, one call: goals (<see cref="GoalHostingExtensions.AddTaskLensGoals"/>), users and
    /// stored keys (<c>TaskLens:Access</c>; register an <see cref="IPasswordHasher"/>), the alert intake (<c>TaskLens:Alerts</c>), incidents (<c>TaskLens:Incidents</c>) with the service links they correlate by,
    /// and the mediator with every request handler (registered here, in one place: MediatR 5's own DI extension is not
    /// available). Register the storage ports as well; subscribers to the domain events register
    /// <c>INotificationHandler&lt;T&gt;</c>.
    /// </summary>
    public static IHostApplicationBuilder AddTaskLensCore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        builder.AddTaskLensGoals();
        builder.AddAccess();

        services.AddValidatedOptions<AlertIntakeOptions>(builder.Configuration, AlertIntakeOptions.SectionName, o => o.Validate());
        services.AddSingleton<AlertIntakeService>();
        services.AddSingleton<IAlertIntake>(sp => sp.GetRequiredService<AlertIntakeService>());

        services.AddValidatedOptions<IncidentOptions>(builder.Configuration, IncidentOptions.SectionName, o => o.Validate());
        services.AddSingleton<ServiceFactory>(sp => type => sp.GetService(type)!);
        services.AddSingleton<IMediator, Mediator>();
        services.AddTransient<IRequestHandler<TriageIncident, TriageResult>, TriageIncidentHandler>();
        services.AddTransient<IRequestHandler<ListIncidents, IReadOnlyList<Incident>>, ListIncidentsHandler>();
        services.AddTransient<IRequestHandler<GetIncident, IncidentDetail?>, GetIncidentHandler>();
        services.AddTransient<IRequestHandler<GetOverview, OverviewFigures>, GetOverviewHandler>();
        services.AddTransient<IRequestHandler<GetGoalBoard, IReadOnlyList<GoalRow>>, GetGoalBoardHandler>();
        services.AddTransient<IRequestHandler<GetGoalDetail, GoalDetail>, GetGoalDetailHandler>();
        services.AddTransient<IRequestHandler<GetRunDetail, RunDetail?>, GetRunDetailHandler>();
        services.AddTransient<IRequestHandler<GetServiceBoard, IReadOnlyList<ServiceRow>>, GetServiceBoardHandler>();
        services.AddTransient<IRequestHandler<GetTrace, IReadOnlyList<WaterfallSpan>>, GetTraceHandler>();
        services.AddTransient<IRequestHandler<SearchLogs, IReadOnlyList<StoredLog>>, SearchLogsHandler>();
        services.AddTransient<IRequestHandler<GetMetricPoints, MetricPoints>, GetMetricPointsHandler>();

        // Open pages follow incidents through this feed; the actor is open mode's until sign-in replaces it.
        services.AddSingleton<IncidentFeed>();
        services.AddSingleton<INotificationHandler<IncidentOpened>>(sp => sp.GetRequiredService<IncidentFeed>());
        services.AddSingleton<INotificationHandler<IncidentUpdated>>(sp => sp.GetRequiredService<IncidentFeed>());
        services.AddSingleton<INotificationHandler<IncidentResolved>>(sp => sp.GetRequiredService<IncidentFeed>());
        services.AddSingleton<IncidentMetrics>();
        services.AddSingleton<ISelfMetrics>(sp => sp.GetRequiredService<IncidentMetrics>());
        services.AddSingleton<INotificationHandler<IncidentOpened>>(sp => sp.GetRequiredService<IncidentMetrics>());
        services.AddSingleton<INotificationHandler<IncidentResolved>>(sp => sp.GetRequiredService<IncidentMetrics>());
        services.TryAddScoped<ICurrentActor, OpenModeActor>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<IncidentService>(sp, sp.GetRequiredService<IncidentOptions>().ToSettings()));
        services.AddSingleton<ServiceLinkCache>();
        services.AddSingleton<IServiceLinks>(sp => sp.GetRequiredService<ServiceLinkCache>());
        services.AddHostedService(sp => sp.GetRequiredService<ServiceLinkCache>());
        return builder;
    }
}
