namespace TaskLens.Core.Slack;

/// <summary>
/// What Slack delivery keeps across restarts, in the app-state database: the message posted for each incident (so a
/// restart edits that message instead of posting a second one) and the links from Slack users to TaskLens users.
/// </summary>
public interface ISlackStateStore
{
    /// <summary>The message posted for an incident, if any.</summary>
    Task<SlackMessageRef?> FindMessageAsync(string tenant, string incidentId, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the message of <see cref="SlackMessageRef.IncidentId"/>.</summary>
    Task SaveMessageAsync(SlackMessageRef message, CancellationToken cancellationToken);

    /// <summary>The TaskLens user a Slack user is linked to, or null.</summary>
    Task<string?> FindUserAsync(string slackUserId, CancellationToken cancellationToken);

    /// <summary>Slack users linked to a TaskLens user.</summary>
    Task<IReadOnlyList<string>> SlackUsersOfAsync(string user, CancellationToken cancellationToken);

    /// <summary>Links a Slack user to a TaskLens user, replacing an earlier link.</summary>
    Task LinkUserAsync(string slackUserId, string user, CancellationToken cancellationToken);

    /// <summary>Removes a link; false when there was none.</summary>
    Task<bool> UnlinkUserAsync(string slackUserId, CancellationToken cancellationToken);
}
