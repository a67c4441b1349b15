using Microsoft.Extensions.Configuration;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TaskLens.Core.Access;
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
    /// The mediator and every request handler (registered here, in one place: MediatR 5's own DI extension is not
    /// available), and incidents (<c>TaskLens:Incidents</c>). Register an <see cref="IServiceLinks"/> and the storage
    /// ports as well; subscribers to the domain events register <c>INotificationHandler&lt;T&gt;</c>.
    /// </summary>
    public static IHostApplicationBuilder AddTaskLensCore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new IncidentOptions();
        builder.Configuration.GetSection(IncidentOptions.Section).Bind(options);
        var errors = options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(
                $"Invalid {IncidentOptions.Section} configuration:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors));
        }

        var services = builder.Services;
        services.AddSingleton(options);
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
        services.TryAddScoped<ICurrentActor, OpenModeActor>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<IncidentService>(sp, new AlertCorrelator.Settings(options.Window)));
        return builder;
    }
}
