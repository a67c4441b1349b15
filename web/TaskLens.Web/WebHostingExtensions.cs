using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MudBlazor.Services;
using TaskLens.Core.Access;
using TaskLens.Web.Components;

namespace TaskLens.Web;

public static class WebHostingExtensions
{
    /// <summary>
    /// The dashboard: Blazor interactive server rendering with MudBlazor. A built (not published) app serves the
    /// framework's and MudBlazor's files (<c>blazor.web.js</c>, <c>_content/…</c>) from their packages through the
    /// static web assets manifest, which ASP.NET Core reads by itself only in Development: so it is read here always
    /// (a published app has no such manifest and serves its wwwroot).
    /// </summary>
    public static IHostApplicationBuilder AddTaskLensWeb(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder is WebApplicationBuilder web)
        {
            web.WebHost.UseStaticWebAssets();
        }

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<ICurrentActor, DashboardActor>();
        return builder;
    }

    public static WebApplication MapTaskLensWeb(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAntiforgery();
        // Stylesheets and scripts are public: the sign-in page needs them before anyone is signed in.
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
