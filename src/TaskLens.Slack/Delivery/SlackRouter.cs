using Microsoft.Extensions.Options;
using TaskLens.Core.Incidents;

namespace TaskLens.Slack.Delivery;

/// <summary>Picks an incident's channel: the first route whose every condition holds, else the default channel.</summary>
internal sealed class SlackRouter(IOptions<SlackOptions> options)
{
    private readonly SlackOptions _options = options.Value;

    public string ChannelFor(Incident incident)
    {
        ArgumentNullException.ThrowIfNull(incident);
        foreach (var route in _options.Routes)
        {
            if (Matches(route, incident))
            {
                return route.Channel;
            }
        }

        return _options.Channel;
    }

    public static bool Matches(SlackRoute route, Incident incident)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(incident);
        return (route.Tenant.Length == 0 || string.Equals(route.Tenant, incident.Tenant, StringComparison.Ordinal))
            && (route.Goal.Length == 0 || incident.Goals.Contains(route.Goal, StringComparer.OrdinalIgnoreCase))
            && (route.Service.Length == 0 || incident.Services.Contains(route.Service, StringComparer.OrdinalIgnoreCase))
            && (route.MinSeverity is not { } min || incident.Severity >= min);
    }
}
