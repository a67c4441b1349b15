using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Goals;
using TaskLens.Core.Incidents;

namespace TaskLens.Core;

public static class CoreHostingExtensions
{
    /// <summary>
    /// Core's application services, one call: goals (<see cref="GoalHostingExtensions.AddTaskLensGoals"/>), the alert
    /// intake (<c>TaskLens:Alerts</c>), incidents (<c>TaskLens:Incidents</c>) with the service links they correlate by,
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

        services.AddValidatedOptions<AlertIntakeOptions>(builder.Configuration, AlertIntakeOptions.SectionName, o => o.Validate());
        services.AddSingleton<AlertIntakeService>();
        services.AddSingleton<IAlertIntake>(sp => sp.GetRequiredService<AlertIntakeService>());

        services.AddValidatedOptions<IncidentOptions>(builder.Configuration, IncidentOptions.SectionName, o => o.Validate());
        services.AddSingleton<ServiceFactory>(sp => type => sp.GetService(type)!);
        services.AddSingleton<IMediator, Mediator>();
        services.AddTransient<IRequestHandler<TriageIncident, TriageResult>, TriageIncidentHandler>();
        services.AddTransient<IRequestHandler<ListIncidents, IReadOnlyList<Incident>>, ListIncidentsHandler>();
        services.AddTransient<IRequestHandler<GetIncident, IncidentDetail?>, GetIncidentHandler>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<IncidentService>(sp, new AlertCorrelator.Settings(sp.GetRequiredService<IncidentOptions>().Window)));
        services.AddSingleton<ServiceLinkCache>();
        services.AddSingleton<IServiceLinks>(sp => sp.GetRequiredService<ServiceLinkCache>());
        services.AddHostedService(sp => sp.GetRequiredService<ServiceLinkCache>());
        return builder;
    }
}
