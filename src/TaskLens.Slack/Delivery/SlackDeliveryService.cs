using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskLens.Core.Incidents;
using TaskLens.Core.Slack;
using TaskLens.Slack.Messages;
using TaskLens.Slack.WebApi;

namespace TaskLens.Slack.Delivery;

/// <summary>
/// Takes incidents from the <see cref="SlackOutbox"/> one at a time and shows each in Slack. Web API mode: the first
/// time a new message (its reference stored, so a restart edits the same one), then an edit of it, and the timeline
/// entries since the last edit as one thread reply. Webhook mode: a message when the incident opens and when it closes.
/// Every call waits for its channel's pace; a 429 holds the channel for its Retry-After.
/// </summary>
internal sealed class SlackDeliveryService(
    SlackOutbox outbox,
    ChannelPacer pacer,
    SlackRouter router,
    SlackApiClient api,
    IncidentFacts facts,
    ISlackStateStore store,
    IOptions<SlackOptions> options,
    ILogger<SlackDeliveryService> logger) : BackgroundService
{
    private const int MaxAttempts = 5;
    private const string WebhookChannel = "webhook";
    private const string WebhookOpen = "webhook:open";
    private const string WebhookClosed = "webhook:closed";

    private readonly SlackOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        SlackLog.Started(logger, _options.UsesWebApi ? "Web API" : "incoming-webhook", _options.Channel, _options.Routes.Count, _options.Users.Count);
        while (!stoppingToken.IsCancellationRequested)
        {
            var (incident, attempts, wait) = outbox.Next();
            if (incident is null)
            {
                await outbox.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                await (_options.UsesWebApi ? DeliverAsync(incident, stoppingToken) : DeliverByWebhookAsync(incident, stoppingToken)).ConfigureAwait(false);
                outbox.Delivered(incident);
            }
            catch (SlackApiException e) when (e.RetryAfter is { } retryAfter)
            {
                outbox.Retry(incident, retryAfter, counted: false);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Slack's own refusals ("ok": false) will not change by asking again; failures to reach it may.
                var transient = e is not SlackApiException refusal || refusal.Error.StartsWith("http_5", StringComparison.Ordinal);
                var error = e is SlackApiException known ? known.Error : e.GetType().Name;
                if (!transient || attempts + 1 >= MaxAttempts)
                {
                    SlackLog.DeliveryDropped(logger, incident.Id, attempts + 1, error);
                    outbox.Drop(incident);
                }
                else
                {
                    var delay = TimeSpan.FromSeconds(Math.Pow(2, attempts + 1));
                    SlackLog.DeliveryFailed(logger, incident.Id, error, attempts + 1, delay);
                    outbox.Retry(incident, delay, counted: true);
                }
            }
        }
    }

    private async Task DeliverAsync(Incident incident, CancellationToken cancellationToken)
    {
        var message = await store.FindMessageAsync(incident.Tenant, incident.Id, cancellationToken).ConfigureAwait(false);
        if (message is not null && message.Version >= incident.Version)
        {
            return;
        }

        var more = SlackText.Link(IncidentMessage.LinkOf(_options.DashboardUrl, incident), "more in TaskLens");
        var (card, reply) = await facts.ReadAsync(incident, message?.Version ?? 0, buttons: true, more, cancellationToken).ConfigureAwait(false);
        var (text, blocks) = IncidentMessage.Build(card, _options.DashboardUrl);
        if (message is not null)
        {
            try
            {
                await CallAsync(message.Channel, () => api.UpdateAsync(message.Channel, message.Ts, text, blocks, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch (SlackApiException e) when (e.MessageGone)
            {
                SlackLog.MessageGone(logger, incident.Id, message.Channel, e.Error);
                message = null;
            }
        }

        if (message is null)
        {
            var channel = router.ChannelFor(incident);
            var (id, ts) = await CallAsync(channel, () => api.PostMessageAsync(channel, text, blocks, threadTs: null, cancellationToken), cancellationToken).ConfigureAwait(false);
            message = new SlackMessageRef(incident.Tenant, incident.Id, id, ts, 0);

            // Stored before anything else is sent, so a restart edits this message rather than posting another.
            await store.SaveMessageAsync(message, CancellationToken.None).ConfigureAwait(false);
            SlackLog.Posted(logger, incident.Id, incident.Tenant, id, ts);
        }

        if (reply is not null)
        {
            await CallAsync(message.Channel, () => api.PostMessageAsync(message.Channel, reply, blocks: null, message.Ts, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        await store.SaveMessageAsync(message with { Version = incident.Version }, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task DeliverByWebhookAsync(Incident incident, CancellationToken cancellationToken)
    {
        var message = await store.FindMessageAsync(incident.Tenant, incident.Id, cancellationToken).ConfigureAwait(false);
        var wanted = incident.IsOpen ? WebhookOpen : WebhookClosed;
        if (message?.Ts == wanted)
        {
            // Webhooks cannot edit: the message posted when it opened (or closed) stays as it was.
            return;
        }

        var more = SlackText.Link(IncidentMessage.LinkOf(_options.DashboardUrl, incident), "more in TaskLens");
        var (card, _) = await facts.ReadAsync(incident, incident.Version, buttons: false, more, cancellationToken).ConfigureAwait(false);
        var (text, blocks) = IncidentMessage.Build(card, _options.DashboardUrl);
        await CallAsync(WebhookChannel, () => api.PostWebhookAsync(text, blocks, cancellationToken), cancellationToken).ConfigureAwait(false);
        await store.SaveMessageAsync(new SlackMessageRef(incident.Tenant, incident.Id, WebhookChannel, wanted, incident.Version), CancellationToken.None).ConfigureAwait(false);
    }

    private async Task CallAsync(string channel, Func<Task> call, CancellationToken cancellationToken) =>
        await CallAsync(channel, async () => { await call().ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);

    private async Task<T> CallAsync<T>(string channel, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        await pacer.WaitAsync(channel, cancellationToken).ConfigureAwait(false);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (SlackApiException e) when (e.RetryAfter is { } retryAfter)
        {
            SlackLog.RateLimited(logger, channel, retryAfter);
            pacer.Hold(channel, retryAfter);
            throw;
        }
        finally
        {
            pacer.Sent(channel);
        }
    }
}
