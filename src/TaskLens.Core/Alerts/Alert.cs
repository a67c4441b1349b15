namespace TaskLens.Core.Alerts;

/// <summary>
/// One alert: a series TaskLens watches went out of its normal range (a learned detector) or past a configured limit
/// (a rule). Everything a person needs to judge it is on it: the series, what was observed against what was
/// expected, the window, why, and where to look next.
/// </summary>
public sealed record Alert
{
    /// <summary>Unique per alert (a fresh GUID, hex).</summary>
    public required string Id { get; init; }
    public required string Tenant { get; init; }

    /// <summary>Who raised it: <c>tasklens</c> for our own detection.</summary>
    public string Source { get; init; } = "tasklens";

    /// <summary>Stable per series and detector (tenant, scope, subject, metric, detector): the dedup key for incidents.</summary>
    public required string Fingerprint { get; init; }
    public required AlertSeverity Severity { get; init; }
    public required AlertStatus Status { get; init; }

    /// <summary><c>goal</c> or <c>service</c>.</summary>
    public required string Scope { get; init; }

    /// <summary>The goal or service name.</summary>
    public required string Subject { get; init; }

    /// <summary>The series' metric, e.g. <c>completion_rate</c>, <c>request_rate</c>.</summary>
    public required string Metric { get; init; }
    public required double Observed { get; init; }
    public required double Expected { get; init; }
    public required double Lower { get; init; }
    public required double Upper { get; init; }
    public required double Score { get; init; }

    /// <summary>The detector that fired (<c>robust-seasonal</c>, <c>cusum</c>, …) or the rule (<c>rule:max-fan-out</c>, …).</summary>
    public required string Detector { get; init; }

    /// <summary>The bucket the observation covers, [WindowStart, WindowEnd).</summary>
    public required DateTimeOffset WindowStart { get; init; }
    public required DateTimeOffset WindowEnd { get; init; }
    public required DateTimeOffset RaisedAt { get; init; }

    /// <summary>One sentence in plain words: what happened, against what, when.</summary>
    public required string Summary { get; init; }

    /// <summary>Why the alert is <see cref="AlertStatus.Context"/> rather than raised; empty otherwise.</summary>
    public string Reason { get; init; } = "";

    /// <summary>Up to three failed runs of the goal in the window (run id = trace id), for goal alerts.</summary>
    public IReadOnlyList<string> SampleRunIds { get; init; } = [];
}
