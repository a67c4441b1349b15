namespace TaskLens.Core.Alerts.Intake;

/// <summary>
/// Bounds on what a sender chooses: fingerprints, labels and texts are keys and words in memory (the dedup book, the
/// correlator), and each tenant's alerts are held in memory while heard of. An event past a size bound is refused
/// whole (400); a tenant whose book is full of firing alerts is refused new ones (429) and counted.
/// </summary>
public sealed record AlertLimits
{
    public int MaxFingerprintLength { get; init; } = 256;
    public int MaxLabels { get; init; } = 64;
    public int MaxLabelNameLength { get; init; } = 256;
    public int MaxLabelValueLength { get; init; } = 2_048;
    public int MaxTitleLength { get; init; } = 1_024;
    public int MaxMessageLength { get; init; } = 16 * 1024;
    public int MaxUrlLength { get; init; } = 2_048;

    /// <summary>Alerts one webhook request may carry.</summary>
    public int MaxAlertsPerRequest { get; init; } = 1_000;

    /// <summary>Alerts the dedup book holds per tenant; past it, resolved ones are forgotten oldest first, then new ones refused.</summary>
    public int MaxAlertsPerTenant { get; init; } = 20_000;

    /// <summary>Why the event is refused, or null when it is within bounds.</summary>
    public string? Problem(AlertEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Fingerprint.Length > MaxFingerprintLength)
        {
            return $"a fingerprint is at most {MaxFingerprintLength} characters";
        }

        if (e.Labels.Count > MaxLabels)
        {
            return $"an alert has at most {MaxLabels} labels";
        }

        foreach (var (name, value) in e.Labels)
        {
            if (name.Length > MaxLabelNameLength || value.Length > MaxLabelValueLength)
            {
                return $"label names are at most {MaxLabelNameLength} characters and values at most {MaxLabelValueLength}";
            }
        }

        if (e.Title.Length > MaxTitleLength || e.Message.Length > MaxMessageLength || e.Url.Length > MaxUrlLength)
        {
            return $"a title is at most {MaxTitleLength} characters, a message {MaxMessageLength} and a link {MaxUrlLength}";
        }

        return null;
    }

    /// <summary>
    /// A link an alert may carry: absolute http or https only. Anything else (javascript:, data:, file:) is dropped, since
    /// links are shown to people and followed with their sessions.
    /// </summary>
    public static string SafeUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? url! : "";
}
