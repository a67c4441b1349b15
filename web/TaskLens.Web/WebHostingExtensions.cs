using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TaskLens.Core.Access;
using TaskLens.Web.Components;

namespace TaskLens.Web;

public static class WebHostingExtensions
{
    /// <summary>The dashboard: Blazor static server rendering (no circuits), see DESIGN.md.</summary>
    public static IHostApplicationBuilder AddTaskLensWeb(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRazorComponents();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<ICurrentActor, DashboardActor>();
        return builder;
    }

    public static WebApplication MapTaskLensWeb(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAntiforgery();
        app.MapRazorComponents<App>();
        return app;
    }
}
