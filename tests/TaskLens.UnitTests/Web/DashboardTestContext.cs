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
/// An event or an async lifecycle method runs on the renderer's dispatcher, which may be busy with another render
/// when the test dispatches it: tests await the event and wait for the rendered state (WaitForAssertion) before
/// asserting on it.
/// </summary>
internal sealed class DashboardTestContext : BunitContext
{
    public DashboardTestContext(Action<IServiceCollection>? handlers = null)
    {
        // WaitFor* gives up after one second by default; a busy shared machine can take longer to run one render.
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<ICurrentActor, OpenModeActor>();
        Services.AddSingleton<ServiceFactory>(sp => type => sp.GetService(type)!);
        Services.AddSingleton<IMediator, Mediator>();
        handlers?.Invoke(Services);
        Render<MudPopoverProvider>();
    }
}
