namespace TaskLens.Core.Alerts.Intake;

/// <summary>Alert intake settings (<c>TaskLens:Alerts</c>): the tokens alert sources present, each naming its tenant.</summary>
public sealed class AlertIntakeOptions
{
    public const string SectionName = "TaskLens:Alerts";

    /// <summary>
    /// A token per sender: <c>TaskLens__Alerts__Tokens__0__Token=…</c>, <c>…__Tenant=acme</c>. Sent as
    /// <c>Authorization: Bearer TOKEN</c>, as the last path segment of the webhook URL, or — on the events API — as
    /// <c>routing_key</c>. Secrets: held as SHA-256 digests, never logged.
    /// </summary>
    public List<AlertSourceToken> Tokens { get; set; } = [];

    /// <summary>Largest webhook body accepted.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Bounds on sender-chosen values (<c>TaskLens:Alerts:Limits:MaxAlertsPerTenant</c>, <c>…:MaxFingerprintLength</c>…):
    /// sizes of fingerprints, labels and texts, alerts per request, alerts held per tenant.
    /// </summary>
    public AlertLimits Limits { get; set; } = new();

    /// <summary>Alert states loaded back at start: those heard of within this long.</summary>
    public TimeSpan Remember { get; set; } = TimeSpan.FromDays(30);

    public IEnumerable<string> Validate()
    {
        foreach (var token in Tokens)
        {
            if (token.Token.Length < 16 || string.IsNullOrWhiteSpace(token.Tenant))
            {
                yield return $"{SectionName}:Tokens: every token has at least 16 characters and names a tenant.";
            }
        }

        if (Tokens.Select(t => t.Token).Distinct(StringComparer.Ordinal).Count() != Tokens.Count)
        {
            yield return $"{SectionName}:Tokens: a token is listed twice.";
        }

        if (Limits.MaxFingerprintLength < 16 || Limits.MaxLabels < 1 || Limits.MaxLabelNameLength < 16 || Limits.MaxLabelValueLength < 16
            || Limits.MaxTitleLength < 16 || Limits.MaxMessageLength < 16 || Limits.MaxUrlLength < 16 || Limits.MaxAlertsPerRequest < 1 || Limits.MaxAlertsPerTenant < 10)
        {
            yield return $"{SectionName}:Limits: sizes are at least 16, MaxLabels and MaxAlertsPerRequest at least 1, MaxAlertsPerTenant at least 10.";
        }

        if (MaxBodyBytes < 1024 || Remember <= TimeSpan.Zero)
        {
            yield return $"{SectionName}: MaxBodyBytes is at least 1024 and Remember is positive.";
        }
    }
}

public sealed class AlertSourceToken
{
    public string Token { get; set; } = "";

    public string Tenant { get; set; } = "";
}
