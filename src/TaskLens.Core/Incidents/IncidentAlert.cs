namespace TaskLens.Core.Incidents;

/// <summary>
/// An alert's membership of an incident: when and why it joined (the correlator's reason, or a person's merge or
/// split). A row with <see cref="Active"/> false records that it left (split off, or its incident merged away).
/// </summary>
public sealed record IncidentAlert
{
    public required string Tenant { get; init; }
    public required string IncidentId { get; init; }

    /// <summary><c>source:fingerprint</c>, the alert's identity in the intake.</summary>
    public required string AlertId { get; init; }
    public required DateTimeOffset JoinedAt { get; init; }
    public double Score { get; init; }
    public string Reason { get; init; } = "";
    public bool Active { get; init; } = true;

    /// <summary>
    /// Whether the alert fired when the incident last recorded it: a node that loads the incident after the intake
    /// stored the alert's resolution still records that resolution when it arrives.
    /// </summary>
    public bool Firing { get; init; } = true;

    /// <summary>Orders rows of the same membership (latest wins).</summary>
    public required long Version { get; init; }

    public static string IdOf(string source, string fingerprint) => source + ":" + fingerprint;

    /// <summary>Splits an alert id into source and fingerprint (sources never contain ':').</summary>
    public static bool TrySplit(string alertId, out string source, out string fingerprint)
    {
        var colon = alertId.IndexOf(':', StringComparison.Ordinal);
        (source, fingerprint) = colon > 0 && colon < alertId.Length - 1 ? (alertId[..colon], alertId[(colon + 1)..]) : ("", "");
        return colon > 0 && colon < alertId.Length - 1;
    }
}
