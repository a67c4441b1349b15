using TaskLens.Core;
using TaskLens.Core.Incidents;

namespace TaskLens.Server.Incidents;

internal static class IncidentHostingExtensions
{
    /// <summary>Incidents (Core's mediator, handlers and incident service) with the service links read from spans.</summary>
    public static WebApplicationBuilder AddTaskLensIncidents(this WebApplicationBuilder builder)
    {
        builder.AddTaskLensCore();
        builder.Services.AddSingleton<ServiceLinkCache>();
        builder.Services.AddSingleton<IServiceLinks>(sp => sp.GetRequiredService<ServiceLinkCache>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ServiceLinkCache>());
        return builder;
    }
}
