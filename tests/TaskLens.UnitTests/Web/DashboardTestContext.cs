using Bunit;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using TaskLens.Core.Access;

namespace TaskLens.UnitTests.Web;

/// <summary>
/// bUnit with what the dashboard's components need: MudBlazor's services and popover host, the open-mode actor, and
/// MediatR's real mediator over the handlers a test registers (the application layer the component talks to).
/// </summary>
internal sealed class DashboardTestContext : BunitContext
{
    public DashboardTestContext(Action<IServiceCollection>? handlers = null)
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<ICurrentActor, OpenModeActor>();
        Services.AddSingleton<ServiceFactory>(sp => type => sp.GetService(type)!);
        Services.AddSingleton<IMediator, Mediator>();
        handlers?.Invoke(Services);
        Render<MudPopoverProvider>();
    }
}
