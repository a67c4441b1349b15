using MediatR;
using Microsoft.Extensions.Logging;
using TaskLens.Core.Incidents;
using TaskLens.Slack.Delivery;

namespace TaskLens.Slack.Interactivity;

/// <summary>
/// Triage asked for in Slack (a button, or <c>/tasklens ack</c>), run as the same <see cref="TriageIncident"/> request the
/// API and dashboard send, as the TaskLens user the Slack user is linked to. The answer is a sentence for that user alone;
/// the change itself reaches the incident's message through the domain events, like any other change.
/// </summary>
internal sealed class SlackTriage(IMediator mediator, SlackUsers users, SlackOutbox outbox, ILogger<SlackTriage> logger)
{
    /// <summary>Runs the action; returns what to tell the Slack user.</summary>
    public async Task<string> RunAsync(string slackUserId, string tenant, string incidentId, TriageAction action, long seenVersion, CancellationToken cancellationToken)
    {
        var actionName = action == TriageAction.Assign ? "assign-to-me" : action.ToString().ToLowerInvariant();
        if (await users.UserOfAsync(slackUserId, cancellationToken).ConfigureAwait(false) is not { } user)
        {
            SlackLog.Unlinked(logger, slackUserId, actionName);
            return HowToLink(slackUserId);
        }

        var request = new TriageIncident(tenant, incidentId, action, seenVersion, user) { Text = action == TriageAction.Assign ? user : "" };
        TriageResult result;
        try
        {
            result = await mediator.Send(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            SlackLog.TriageFailed(logger, e);
            return $"TaskLens could not store that change to {incidentId}; nothing changed. Try again in a moment.";
        }

        SlackLog.Triaged(logger, slackUserId, user, actionName, incidentId, result.Outcome.ToString());
        switch (result.Outcome)
        {
            case TriageOutcome.Done:
                return $"Done: {incidentId} {Past(action, user)} by you ({user}).";
            case TriageOutcome.Unchanged:
                return $"{incidentId} is already {Past(action, user)}; nothing changed.";
            case TriageOutcome.Stale:
                // The change that made it stale refreshes the message anyway; this makes sure it does.
                outbox.Add(result.Incident!);
                return $"{incidentId} changed since this message showed it ({result.Reason}); nothing changed. The message is being refreshed: look again and retry.";
            case TriageOutcome.NotFound:
                return $"There is no incident {incidentId}.";
            default:
                return $"Not possible: {result.Reason}";
        }
    }

    /// <summary>What an unlinked Slack user is told.</summary>
    public static string HowToLink(string slackUserId) =>
        $"Your Slack account ({slackUserId}) is not linked to a TaskLens user, so nothing changed. Ask a TaskLens admin to link it: "
        + $"add `TaskLens:Slack:Users` entry `{{\"SlackUserId\": \"{slackUserId}\", \"User\": \"<your TaskLens name>\"}}`, or on the TaskLens host run "
        + $"`curl -X PUT -H 'Content-Type: application/json' -d '{{\"user\":\"<your TaskLens name>\"}}' http://localhost:<API port>/api/slack/links/{slackUserId}`.";

    private static string Past(TriageAction action, string user) => action switch
    {
        TriageAction.Acknowledge => "acknowledged",
        TriageAction.Resolve => "resolved",
        TriageAction.Assign => "assigned to " + user,
        _ => action.ToString().ToLowerInvariant(),
    };
}
