using TaskLens.Core.Alerts;

namespace TaskLens.Slack;

/// <summary>
/// Sends incidents that match every condition set (empty conditions match anything) to <see cref="Channel"/>.
/// A goal or service condition matches when the incident names it among its goals or services.
/// </summary>
public sealed class SlackRoute
{
    public string Channel { get; set; } = "";
    public string Tenant { get; set; } = "";
    public string Goal { get; set; } = "";
    public string Service { get; set; } = "";

    /// <summary>The least severity that matches (<c>info</c>, <c>warning</c>, <c>critical</c>); unset matches any.</summary>
    public AlertSeverity? MinSeverity { get; set; }
}
