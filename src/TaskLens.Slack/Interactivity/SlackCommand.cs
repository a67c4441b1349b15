using System.Globalization;
using System.Text.Json.Nodes;
using MediatR;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TaskLens.Core.Incidents;
using TaskLens.Slack.Delivery;
using TaskLens.Slack.Messages;

namespace TaskLens.Slack.Interactivity;

/// <summary>
/// <c>POST /api/slack/commands</c>, the <c>/tasklens</c> slash command: <c>list</c> (open incidents), <c>show inc-N</c>,
/// <c>ack inc-N</c>, <c>help</c>. Answers go back in the response, seen only by the person who typed the command.
/// </summary>
internal static class SlackCommand
{
    private const int Listed = 20;

    public const string Usage = "Usage: `/tasklens list` (open incidents), `/tasklens show inc-N`, `/tasklens ack inc-N`, `/tasklens help`.";

    public static async Task<IResult> HandleAsync(
        HttpContext context, SlackRequest slack, SlackTriage triage, IMediator mediator, IncidentFacts facts, IOptions<SlackOptions> options, TimeProvider time)
    {
        var (form, refusal) = await slack.ReadAsync(context).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var o = options.Value;
        var fields = form!;
        var words = fields.GetValueOrDefault("text").ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var user = fields.GetValueOrDefault("user_id").ToString();
        var cancellationToken = context.RequestAborted;
        switch (words)
        {
            case ["list"]:
                var now = time.GetUtcNow();
                var open = (await mediator.Send(new ListIncidents(new IncidentQuery(o.Tenant, now.AddDays(-7), now, null, null, null, null, 1_000)), cancellationToken).ConfigureAwait(false))
                    .Where(i => i.IsOpen).ToList();
                if (open.Count == 0)
                {
                    return Reply("No open incidents.");
                }

                var lines = open.Take(Listed).Select(i => string.Create(CultureInfo.InvariantCulture,
                    $"• {SlackText.Link(IncidentMessage.LinkOf(o.DashboardUrl, i), i.Id)} [{IncidentMessage.Name(i.Severity)}] {SlackText.Escape(i.Title)} ({IncidentMessage.StatusText(i)}, {i.FiringAlerts} of {i.Alerts} alerts firing)"));
                var more = open.Count > Listed ? string.Create(CultureInfo.InvariantCulture, $"\n…and {open.Count - Listed} more: {SlackText.Link(new Uri(o.DashboardUrl, "incidents"), "all in TaskLens")}") : "";
                return Reply(SlackText.Truncate(string.Create(CultureInfo.InvariantCulture, $"*{open.Count} open incidents*\n") + string.Join("\n", lines) + more,
                    SlackLimits.MessageText, SlackText.Link(new Uri(o.DashboardUrl, "incidents"), "all in TaskLens")));
            case ["show", var id]:
                if (await mediator.Send(new GetIncident(o.Tenant, id), cancellationToken).ConfigureAwait(false) is not { } detail)
                {
                    return Reply($"There is no incident {SlackText.Escape(id)}.");
                }

                var link = SlackText.Link(IncidentMessage.LinkOf(o.DashboardUrl, detail.Incident), "more in TaskLens");
                var (card, _) = await facts.ReadAsync(detail.Incident, detail.Incident.Version, buttons: true, link, cancellationToken).ConfigureAwait(false);
                var (text, blocks) = IncidentMessage.Build(card, o.DashboardUrl);
                return Reply(text, blocks);
            case ["ack", var id]:
                if (await mediator.Send(new GetIncident(o.Tenant, id), cancellationToken).ConfigureAwait(false) is not { } current)
                {
                    return Reply($"There is no incident {SlackText.Escape(id)}.");
                }

                return Reply(SlackText.Escape(await triage.RunAsync(user, o.Tenant, current.Incident.Id, TriageAction.Acknowledge, current.Incident.Version, cancellationToken)
                    .ConfigureAwait(false)));
            default:
                return Reply(Usage);
        }
    }

    /// <summary>An answer only the person who typed the command sees.</summary>
    private static IResult Reply(string text, JsonArray? blocks = null)
    {
        var body = new JsonObject { ["response_type"] = "ephemeral", ["text"] = text };
        if (blocks is not null)
        {
            body["blocks"] = blocks;
        }

        return Results.Text(body.ToJsonString(), "application/json");
    }
}
