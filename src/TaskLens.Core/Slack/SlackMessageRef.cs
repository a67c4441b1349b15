namespace TaskLens.Core.Slack;

/// <summary>
/// The Slack message of one incident: its channel and timestamp (<c>ts</c>, Slack's message id), and the incident
/// version it last showed.
/// </summary>
public sealed record SlackMessageRef(string Tenant, string IncidentId, string Channel, string Ts, long Version);
