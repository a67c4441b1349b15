using System.Globalization;
using System.Text.Json;
using TaskLens.Core.Alerts;
using TaskLens.Core.Alerts.Intake;

namespace TaskLens.Server.AlertIntake;

/// <summary>
/// The generic events API, shaped like PagerDuty Events v2: <c>routing_key</c> (the sender's token),
/// <c>event_action</c> (<c>trigger</c>, <c>acknowledge</c>, <c>resolve</c>), <c>dedup_key</c> (required to acknowledge or
/// resolve; for a trigger without one, the summary and source make it), and for a trigger a <c>payload</c> with
/// <c>summary</c>, <c>source</c>, <c>severity</c> (<c>critical</c>, <c>error</c>, <c>warning</c>, <c>info</c>) and optional
/// <c>timestamp</c>, <c>component</c>, <c>group</c>, <c>class</c>, <c>custom_details</c>. Every problem is listed.
/// </summary>
internal static class EventsPayload
{
    public static bool TryRead(JsonElement root, DateTimeOffset now, out string? routingKey, out Func<string, AlertEvent>? build, out List<string> errors)
    {
        routingKey = null;
        build = null;
        errors = [];
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add("The event must be a JSON object.");
            return false;
        }

        routingKey = Text(root, "routing_key");
        if (routingKey is null)
        {
            errors.Add("'routing_key' is missing or blank.");
        }

        var action = Text(root, "event_action") switch
        {
            "trigger" => AlertAction.Trigger,
            "acknowledge" => AlertAction.Acknowledge,
            "resolve" => AlertAction.Resolve,
            _ => (AlertAction?)null,
        };
        if (action is null)
        {
            errors.Add("'event_action' must be one of trigger, acknowledge, resolve.");
        }

        var dedupKey = Text(root, "dedup_key");
        if (dedupKey is { Length: > 255 })
        {
            errors.Add("'dedup_key' is longer than 255 characters.");
        }

        if (action is AlertAction.Acknowledge or AlertAction.Resolve && dedupKey is null)
        {
            errors.Add("'dedup_key' is required to acknowledge or resolve.");
        }

        string summary = "", source = "";
        var severity = AlertSeverity.Warning;
        var startsAt = now;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var hasPayload = root.TryGetProperty("payload", out var payload) && payload.ValueKind == JsonValueKind.Object;
        if (action == AlertAction.Trigger && !hasPayload)
        {
            errors.Add("'payload' is required to trigger.");
        }

        if (hasPayload)
        {
            summary = Text(payload, "summary") ?? "";
            source = Text(payload, "source") ?? "";
            if (action == AlertAction.Trigger && summary.Length == 0)
            {
                errors.Add("'payload.summary' is missing or blank.");
            }

            if (summary.Length > 1024)
            {
                errors.Add("'payload.summary' is longer than 1024 characters.");
            }

            if (action == AlertAction.Trigger && source.Length == 0)
            {
                errors.Add("'payload.source' is missing or blank.");
            }

            var severityText = Text(payload, "severity");
            if (action == AlertAction.Trigger && severityText is not ("critical" or "error" or "warning" or "info"))
            {
                errors.Add("'payload.severity' must be one of critical, error, warning, info.");
            }

            severity = WebhookPayload.Severity(severityText);
            if (Text(payload, "timestamp") is { } timestamp
                && !DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out startsAt))
            {
                errors.Add("'payload.timestamp' is not an ISO 8601 time.");
            }

            labels["source"] = source;
            foreach (var name in new[] { "component", "group", "class" })
            {
                if (Text(payload, name) is { } value)
                {
                    labels[name] = value;
                }
            }

            if (payload.TryGetProperty("custom_details", out var details) && details.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in details.EnumerateObject())
                {
                    labels[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                }
            }
        }

        if (errors.Count > 0)
        {
            return false;
        }

        var key = dedupKey ?? WebhookPayload.LabelFingerprint(new Dictionary<string, string> { ["summary"] = summary, ["source"] = source });
        var links = root.TryGetProperty("links", out var l) && l.ValueKind == JsonValueKind.Array && l.GetArrayLength() > 0 ? Text(l[0], "href") : null;
        build = tenant => new AlertEvent
        {
            Tenant = tenant,
            Source = "events",
            Fingerprint = key,
            Action = action!.Value,
            Title = summary,
            Severity = severity,
            Labels = labels,
            StartsAt = startsAt,
            Url = links ?? "",
            ReceivedAt = now,
        };
        return true;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            && v.GetString() is { } text && !string.IsNullOrWhiteSpace(text) ? text : null;
}
