using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TaskLens.Core.Incidents;
using TaskLens.Slack.Messages;
using TaskLens.Slack.WebApi;

namespace TaskLens.Slack.Interactivity;

/// <summary>
/// <c>POST /api/slack/interactions</c>: the buttons on incident messages (Acknowledge, Resolve, Assign to me). Slack wants
/// a 200 within three seconds; the answer to the person goes back with <c>chat.postEphemeral</c>.
/// </summary>
internal static class SlackInteractions
{
    public static async Task<IResult> HandleAsync(HttpContext context, SlackRequest slack, SlackTriage triage, SlackApiClient api, ILogger<SlackRequest> logger)
    {
        var (form, refusal) = await slack.ReadAsync(context).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        if (!form!.TryGetValue("payload", out var payloadText) || Read(payloadText.ToString()) is not { } click)
        {
            return Results.Text("Expected a block_actions payload with one TaskLens button.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (click.Action is not { } action || !IncidentMessage.TryReadButtonValue(click.Value, out var tenant, out var id, out var version))
        {
            // Link buttons (Open in TaskLens) also report a click; there is nothing to do for them.
            return Results.Ok();
        }

        var answer = await triage.RunAsync(click.User, tenant, id, action, version, context.RequestAborted).ConfigureAwait(false);
        if (click.Channel.Length > 0)
        {
            // Slack wants its 200 within three seconds: the private answer goes after it, on its own.
            _ = Task.Run(() => AnswerAsync(api, click, SlackText.Escape(answer), logger), CancellationToken.None);
        }

        return Results.Ok();
    }

    private static async Task AnswerAsync(SlackApiClient api, Click click, string text, ILogger logger)
    {
        try
        {
            await api.PostEphemeralAsync(click.Channel, click.User, text, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Nobody awaits this task: whatever failed is logged here or nowhere.
            SlackLog.ReplyFailed(logger, click.User, e is SlackApiException s ? s.Error : e.GetType().Name);
        }
    }

    private sealed record Click(string User, string Channel, TriageAction? Action, string Value);

    private static Click? Read(string payload)
    {
        try
        {
            using var json = JsonDocument.Parse(payload);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("type", out var type) || type.GetString() != "block_actions"
                || !root.TryGetProperty("user", out var user) || user.ValueKind != JsonValueKind.Object
                || !user.TryGetProperty("id", out var userId) || userId.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("actions", out var actions) || actions.ValueKind != JsonValueKind.Array || actions.GetArrayLength() == 0)
            {
                return null;
            }

            var first = actions[0];
            var actionId = first.TryGetProperty("action_id", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            var value = first.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            var channel = root.TryGetProperty("channel", out var c) && c.ValueKind == JsonValueKind.Object && c.TryGetProperty("id", out var cid)
                && cid.ValueKind == JsonValueKind.String ? cid.GetString()! : "";
            TriageAction? action = actionId switch
            {
                IncidentMessage.AcknowledgeAction => TriageAction.Acknowledge,
                IncidentMessage.ResolveAction => TriageAction.Resolve,
                IncidentMessage.AssignToMeAction => TriageAction.Assign,
                _ => null,
            };
            return SlackUsers.IsSlackUserId(userId.GetString()) ? new Click(userId.GetString()!, channel, action, value) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
