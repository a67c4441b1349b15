using TaskLens.Core.Alerts;

namespace TaskLens.Core.Findings;

/// <summary>
/// What continuous detection found: a series TaskLens watches went out of its normal range (a learned detector) or
/// past a configured limit (a rule). Everything a person needs to judge it is on it: the series, what was observed
/// against the expected value and band, the window, why, and where to look next. A raised finding (and its end)
/// reaches incidents as an alert through the alert intake (source <c>tasklens</c>); "alert" means only that.
/// </summary>
public sealed record Finding
{
    /// <summary>Unique per finding (a fresh GUID, hex).</summary>
    public required string Id { get; init; }
    public required string Tenant { get; init; }

    /// <summary>Who raised it: <c>tasklens</c> for our own detection.</summary>
    public string Source { get; init; } = FindingFingerprint.Source;

    /// <summary>Stable per series and detector (<see cref="FindingFingerprint"/>): the alert intake's dedup key.</summary>
    public required string Fingerprint { get; init; }
    public required AlertSeverity Severity { get; init; }
    public required FindingStatus Status { get; init; }

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

    /// <summary>Why the finding is <see cref="FindingStatus.Context"/> rather than raised; empty otherwise.</summary>
    public string Reason { get; init; } = "";

    /// <summary>Up to three failed runs of the goal in the window (run id = trace id), for goal findings.</summary>
    public IReadOnlyList<string> SampleRunIds { get; init; } = [];
}
