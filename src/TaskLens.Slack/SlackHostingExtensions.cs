using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using TaskLens.Core;
using TaskLens.Core.Incidents;
using TaskLens.Slack.Delivery;
using TaskLens.Slack.Interactivity;
using TaskLens.Slack.WebApi;

namespace TaskLens.Slack;

public static class SlackHostingExtensions
{
    /// <summary>
    /// Slack delivery of incidents (<c>TaskLens:Slack</c>): subscribes to Core's incident events and posts, edits and
    /// threads one message per incident. Off (nothing registered but the validated options) without a bot token or webhook.
    /// Needs an <see cref="Core.Slack.ISlackStateStore"/> and the incident stores from storage.
    /// </summary>
    public static IHostApplicationBuilder AddTaskLensSlack(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddValidatedOptions<SlackOptions>(builder.Configuration, SlackOptions.SectionName, o => o.Validate());
        var options = new SlackOptions();
        builder.Configuration.GetSection(SlackOptions.SectionName).Bind(options);
        if (!options.Enabled)
        {
            return builder;
        }

        services.TryAddTimeProvider();
        services.AddHttpClient<SlackApiClient>(SlackApiClient.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("slack", (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<SlackOptions>>().Value;
                pipeline.AddTimeout(o.RequestTimeout);
                if (o.MaxRetries > 0)
                {
                    // Slack's 429 carries Retry-After (ShouldRetryAfterHeader); "ok": false answers are 200s and never retried.
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = o.MaxRetries,
                        ShouldRetryAfterHeader = true,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = TimeSpan.FromSeconds(1),
                    });
                }
            });
        services.AddSingleton(sp => new SlackOutbox(options.CoalesceInterval, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ChannelPacer(options.ChannelInterval, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SlackRouter>();
        services.AddSingleton<SlackUsers>();
        services.AddSingleton<IncidentFacts>();
        services.AddHostedService<SlackDeliveryService>();
        services.AddSingleton<IncidentEventsHandler>();
        services.AddSingleton<INotificationHandler<IncidentOpened>>(sp => sp.GetRequiredService<IncidentEventsHandler>());
        services.AddSingleton<INotificationHandler<IncidentUpdated>>(sp => sp.GetRequiredService<IncidentEventsHandler>());
        services.AddSingleton<INotificationHandler<IncidentResolved>>(sp => sp.GetRequiredService<IncidentEventsHandler>());
        services.AddSingleton<SlackReplayGuard>();
        services.AddSingleton<SlackRequest>();
        services.AddSingleton<SlackTriage>();
        return builder;
    }

    /// <summary>
    /// <c>POST /api/slack/interactions</c>, <c>POST /api/slack/commands</c> (both refused unless signed by Slack) and the
    /// link API, on <paramref name="apiPort"/> only; mapped in Web API mode alone (webhooks have no buttons or commands).
    /// </summary>
    public static IEndpointRouteBuilder MapTaskLensSlack(this IEndpointRouteBuilder endpoints, int apiPort)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // Read from configuration, not validated options: invalid settings are reported by start-up validation, all at once.
        var options = new SlackOptions();
        endpoints.ServiceProvider.GetRequiredService<IConfiguration>().GetSection(SlackOptions.SectionName).Bind(options);
        if (!options.UsesWebApi)
        {
            return endpoints;
        }

        var slack = endpoints.MapGroup("/api/slack").AddEndpointFilter(async (context, next) =>
            context.HttpContext.Connection.LocalPort == apiPort ? await next(context).ConfigureAwait(false) : Results.NotFound());

        // Slack cannot sign in: these two are locked by Slack's signature instead, checked before anything else.
        slack.MapPost("/interactions", SlackInteractions.HandleAsync).AllowAnonymous();
        slack.MapPost("/commands", SlackCommand.HandleAsync).AllowAnonymous();
        slack.MapSlackLinks();
        return endpoints;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
