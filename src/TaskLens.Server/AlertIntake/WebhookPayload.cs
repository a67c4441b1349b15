using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TaskLens.Core.Alerts;
using TaskLens.Core.Alerts.Intake;

namespace TaskLens.Server.AlertIntake;

/// <summary>
/// Reads the webhook payload of Prometheus Alertmanager (version 4) and of Grafana alerting (its webhook contact point
/// sends the same shape, version 1, with extras): a list of alerts, each <c>firing</c> or <c>resolved</c>, with labels,
/// annotations, <c>startsAt</c> and a fingerprint (computed from the sorted labels when absent). The whole payload is
/// checked before anything is taken, so a bad one changes nothing.
/// </summary>
internal static class WebhookPayload
{
    public static bool TryRead(JsonElement root, string source, string tenant, DateTimeOffset now, out List<AlertEvent> events, out string problem)
    {
        events = [];
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = "the body is not a JSON object";
            return false;
        }

        if (source == "alertmanager" && (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "4"))
        {
            problem = "version must be \"4\" (Alertmanager webhook payload version 4)";
            return false;
        }

        if (!root.TryGetProperty("alerts", out var alerts) || alerts.ValueKind != JsonValueKind.Array)
        {
            problem = "alerts must be an array";
            return false;
        }

        var index = 0;
        foreach (var alert in alerts.EnumerateArray())
        {
            if (!TryReadAlert(alert, source, tenant, now, out var e, out problem))
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"alerts[{index}]: {problem}");
                return false;
            }

            events.Add(e);
            index++;
        }

        problem = "";
        return true;
    }

    private static bool TryReadAlert(JsonElement alert, string source, string tenant, DateTimeOffset now, out AlertEvent e, out string problem)
    {
        e = null!;
        if (alert.ValueKind != JsonValueKind.Object)
        {
            problem = "not an object";
            return false;
        }

        var status = alert.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        if (status is not ("firing" or "resolved"))
        {
            problem = "status must be \"firing\" or \"resolved\"";
            return false;
        }

        if (!TryStrings(alert, "labels", out var labels, out problem) || !TryStrings(alert, "annotations", out var annotations, out problem))
        {
            return false;
        }

        if (labels.Count == 0)
        {
            problem = "labels must name the alert (at least one label)";
            return false;
        }

        var startsAt = now;
        if (alert.TryGetProperty("startsAt", out var starts) && starts.ValueKind == JsonValueKind.String
            && !DateTimeOffset.TryParse(starts.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out startsAt))
        {
            problem = "startsAt is not an RFC 3339 time";
            return false;
        }

        var fingerprint = alert.TryGetProperty("fingerprint", out var f) && f.ValueKind == JsonValueKind.String && f.GetString() is { Length: > 0 } given
            ? given
            : LabelFingerprint(labels);
        // Alertmanager and Grafana carry runbooks as an annotation; the intake keeps labels only, so the link rides along
        // as a label (after the fingerprint, so it never changes an alert's identity) for the brief's next steps.
        if (annotations.TryGetValue("runbook_url", out var runbook) && !labels.ContainsKey("runbook_url"))
        {
            labels["runbook_url"] = runbook;
        }

        e = new AlertEvent
        {
            Tenant = tenant,
            Source = source,
            Fingerprint = fingerprint,
            Action = status == "firing" ? AlertAction.Trigger : AlertAction.Resolve,
            Title = annotations.GetValueOrDefault("summary") ?? labels.GetValueOrDefault("alertname") ?? fingerprint,
            Message = annotations.GetValueOrDefault("description") ?? annotations.GetValueOrDefault("message") ?? "",
            Severity = Severity(labels.GetValueOrDefault("severity")),
            Labels = labels,
            StartsAt = startsAt,
            Url = Text(alert, "panelURL") ?? Text(alert, "dashboardURL") ?? Text(alert, "generatorURL") ?? "",
            ReceivedAt = now,
        };
        problem = "";
        return true;
    }

    /// <summary>Severity from the common label values; warning when absent or unknown.</summary>
    public static AlertSeverity Severity(string? label) => label?.ToLowerInvariant() switch
    {
        "critical" or "page" or "error" or "high" or "p1" => AlertSeverity.Critical,
        "info" or "none" or "low" or "informational" => AlertSeverity.Info,
        _ => AlertSeverity.Warning,
    };

    /// <summary>A fingerprint from the labels, sorted by name: the same labels always give the same alert.</summary>
    public static string LabelFingerprint(IReadOnlyDictionary<string, string> labels)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            text.Append(key).Append('\u001f').Append(value).Append('\u001e');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private static bool TryStrings(JsonElement alert, string name, out Dictionary<string, string> values, out string problem)
    {
        values = new Dictionary<string, string>(StringComparer.Ordinal);
        problem = "";
        if (!alert.TryGetProperty(name, out var map) || map.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (map.ValueKind != JsonValueKind.Object)
        {
            problem = $"{name} must be an object of strings";
            return false;
        }

        foreach (var p in map.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
            {
                problem = $"{name}.{p.Name} must be a string";
                return false;
            }

            values[p.Name] = p.Value.GetString()!;
        }

        return true;
    }

    private static string? Text(JsonElement alert, string name) =>
        alert.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } text ? text : null;
}
