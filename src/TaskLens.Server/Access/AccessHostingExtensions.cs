using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HttpOverrides;
using TaskLens.Core;
using Microsoft.Extensions.Options;
using TaskLens.Core.Access;
using TaskLens.Ingest;
using TaskLens.Server.Api;

namespace TaskLens.Server.Access;

internal static class AccessHostingExtensions
{
    /// <summary>
    /// Sign-in and tenants on the API port: password hashing for Core's users, the sign-in cookie, API keys and open
    /// mode as authentication schemes, and the read / triage / admin policies. Every endpoint needs the read policy unless it says otherwise
    /// (the fallback policy), so a new endpoint is locked until someone decides it should not be.
    /// </summary>
    public static WebApplicationBuilder AddTaskLensServerAccess(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IPasswordHasher, IdentityPasswordHasher>();
        var openMode = builder.Configuration.GetValue<bool>($"{IngestOptions.SectionName}:OpenMode");
        builder.Services.AddSingleton(new AccessMode(openMode));
        builder.Services.AddSingleton<SignInCookieEvents>();
        builder.Services.AddAuthentication(AccessSchemes.Default)
            .AddScheme<AuthenticationSchemeOptions, CallerAuthenticationHandler>(AccessSchemes.Default, null)
            .AddCookie(AccessSchemes.Cookie, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;

                // Strict: no other site's page can make a browser send it, which with antiforgery tokens on every form
                // (and on cookie-authenticated API writes) closes cross-site request forgery.
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SlidingExpiration = true;
                o.LoginPath = "/signin";
                o.AccessDeniedPath = "/denied";
                o.EventsType = typeof(SignInCookieEvents);
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AccessSchemes.ApiKey, null)
            .AddScheme<AuthenticationSchemeOptions, OpenModeAuthenticationHandler>(AccessSchemes.OpenMode, null);

        builder.Services.AddOptions<CookieAuthenticationOptions>(AccessSchemes.Cookie)
            .Configure<IOptions<AccessOptions>>((cookie, access) => cookie.ExpireTimeSpan = access.Value.SessionLifetime);
        builder.Services.AddAuthorization(o =>
        {
            o.AddPolicy(AccessSchemes.ReadPolicy, Requires(AccessRights.Read));
            o.AddPolicy(AccessSchemes.TriagePolicy, Requires(AccessRights.Triage));
            o.AddPolicy(AccessSchemes.AdminPolicy, Requires(AccessRights.Admin));
            o.DefaultPolicy = Requires(AccessRights.Read);
            o.FallbackPolicy = Requires(AccessRights.Read);
        });
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiAwareAuthorizationResultHandler>();

        // Password guessing: at most SignInAttemptsPerMinute sign-in posts per client address, then 429 with Retry-After.
        builder.Services.AddSingleton(services => new SignInThrottle(services.GetService<TimeProvider>() ?? TimeProvider.System));
        builder.Services.AddValidatedOptions<NetworkOptions>(builder.Configuration, NetworkOptions.SectionName, o => o.Validate());
        return builder;
    }

    /// <summary>
    /// ASP.NET Core's forwarded headers believed from the trusted proxies only (null when none is configured: the
    /// middleware is not added at all). The framework's defaults trust loopback, which would let anyone on the host,
    /// or any proxy there that passes a client's header through, choose an address: they are cleared. Every hop of
    /// <c>X-Forwarded-For</c> is read from the right while it is a trusted proxy, so a chain of them (a load balancer,
    /// then nginx) gives the first address outside it, and a value the client wrote itself, further left, is never used.
    /// </summary>
    internal static ForwardedHeadersOptions? ForwardedFrom(NetworkOptions network)
    {
        if (network.TrustedProxies.Count == 0)
        {
            return null;
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var trusted in network.Networks())
        {
            options.KnownIPNetworks.Add(trusted);
        }

        return options;
    }

    /// <summary>Sign-in posts allowed per client address and minute.</summary>
    public const int SignInAttemptsPerMinute = SignInThrottle.AttemptsPerWindow;

    /// <summary>
    /// Authentication and authorization for the API port; the OTLP ports branch off before this and never pay for it.
    /// With trusted proxies configured, the client's address is first taken from their forwarded headers
    /// (<see cref="ForwardedFrom"/>), so the sign-in throttle, open mode and the Slack link API's loopback rule all see
    /// the client rather than the proxy.
    /// </summary>
    public static WebApplication UseTaskLensAccess(this WebApplication app)
    {
        if (ForwardedFrom(app.Services.GetRequiredService<NetworkOptions>()) is { } forwarded)
        {
            app.UseForwardedHeaders(forwarded);
        }

        app.Use(app.Services.GetRequiredService<SignInThrottle>().CheckAsync);
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>
    /// <c>GET /api/session</c>: who the caller is, and for a signed-in browser the antiforgery token its API writes
    /// must carry (header <c>RequestVerificationToken</c>).
    /// </summary>
    public static RouteGroupBuilder MapAccessApi(this RouteGroupBuilder api)
    {
        api.MapGet("/session", (HttpContext context, IAntiforgery antiforgery, AccessMode mode) =>
        {
            var user = context.User;
            var via = AccessPrincipal.ViaOf(user);
            var tokens = via == AccessPrincipal.ViaPassword ? antiforgery.GetAndStoreTokens(context) : null;
            return Results.Json(new
            {
                name = user.Identity?.Name,
                tenant = AccessPrincipal.TenantOf(user),
                via,
                rights = Rights(AccessPrincipal.RightsOf(user)),
                openMode = mode.OpenMode,
                antiforgery = tokens is null ? null : new { header = tokens.HeaderName, token = tokens.RequestToken },
            });
        });
        return api;
    }

    /// <summary><c>POST /signout</c>: a form with an antiforgery token, from the bar on every page.</summary>
    public static WebApplication MapSignOut(this WebApplication app)
    {
        app.MapPost("/signout", async (HttpContext context, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return ApiQuery.BadRequest("Invalid form", "Sign out from a TaskLens page: the form's antiforgery token is missing or stale.");
            }

            await context.SignOutAsync(AccessSchemes.Cookie);
            return Results.Redirect("/signin");
        })
        .AllowAnonymous()
        .DisableAntiforgery();
        return app;
    }

    private const string CookieName = "TaskLens.SignIn";

    private static IEnumerable<string> Rights(AccessRights rights) =>
        new[] { AccessRights.Read, AccessRights.Triage, AccessRights.Admin }.Where(r => (rights & r) == r).Select(r => r.ToString().ToLowerInvariant());

    private static AuthorizationPolicy Requires(AccessRights rights) => new AuthorizationPolicyBuilder(AccessSchemes.Default)
        .RequireAuthenticatedUser()
        .RequireAssertion(c => AccessPrincipal.TenantOf(c.User) is not null && AccessPrincipal.Has(c.User, rights))
        .Build();
}
