using Microsoft.Extensions.Configuration;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TaskLens.Core.Incidents;

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
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<IncidentService>(sp, options.ToSettings()));
        return builder;
    }
}
