using TaskLens.Core.Incidents;

namespace TaskLens.Slack.Messages;

/// <summary>
/// What one incident's message shows: the incident, its summary (plain text, escaped when drawn), who did what (mrkdwn
/// lines TaskLens wrote, mentions included) and whether it carries buttons (Web API mode).
/// </summary>
internal sealed record IncidentCard(Incident Incident, string Summary, IReadOnlyList<string> Activity, bool Buttons);
