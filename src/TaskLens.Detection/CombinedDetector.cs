namespace TaskLens.Detection;

/// <summary>
/// The detector TaskLens runs on every series: by default the robust seasonal baseline (spikes and dips: points far
/// from what this time usually looks like) and CUSUM (level shifts) each see every point; a point is raised when one
/// of them finds it anomalous in the series' bad direction (<see cref="SeriesKind"/>). The anomaly raised is the
/// member's whose score is furthest past its own threshold, so it says which detector fired and what that detector
/// expected. After raising, the series stays quiet for <see cref="Settings.HoldOff"/> points: the alert is open, and
/// what follows belongs to it. Spectral residual is not a default member: on the NAB set it found nothing the other
/// two missed and costs ten times as much per point (docs/detection.md); pass it as a member to use it.
/// </summary>
public sealed class CombinedDetector : IAnomalyDetector
{
    private readonly IAnomalyDetector[] _members;
    private readonly Settings _settings;
    private readonly SeriesKind _kind;
    private long _seen;
    private long _quietUntil = -1;

    public CombinedDetector(SeriesKind kind = SeriesKind.Any, Settings? settings = null, params IAnomalyDetector[] members)
    {
        _kind = kind;
        _settings = settings ?? new Settings();
        _members = members.Length > 0 ? members : DefaultMembers();
    }

    /// <summary>New instances of the default members: the robust seasonal baseline and CUSUM.</summary>
    public static IAnomalyDetector[] DefaultMembers() => [new RobustSeasonalDetector(), new CusumDetector()];

    /// <param name="HoldOff">Points after a raised anomaly during which no other is raised.</param>
    public sealed record Settings(int HoldOff = 600);

    public string Name => "combined";

    public double Threshold => 1;

    /// <summary>How many points in a row, up to the last one, no member found anomalous in the bad direction.</summary>
    public long CalmPoints { get; private set; }

    /// <summary>Ends the hold-off early: the alert it kept open was resolved, so the next trouble is raised.</summary>
    public void EndHoldOff() => _quietUntil = -1;

    public Anomaly? Observe(DateTimeOffset timestamp, double value)
    {
        Anomaly? strongest = null;
        double strongestRatio = 0;
        foreach (var member in _members)
        {
            if (member.Observe(timestamp, value) is { } anomaly && InBadDirection(anomaly))
            {
                var ratio = anomaly.Score / member.Threshold;
                if (ratio > strongestRatio)
                {
                    (strongest, strongestRatio) = (anomaly, ratio);
                }
            }
        }

        var position = _seen++;
        CalmPoints = strongest is null ? CalmPoints + 1 : 0;
        if (strongest is null || position < _quietUntil)
        {
            return null;
        }

        _quietUntil = position + 1 + _settings.HoldOff;
        return strongest;
    }

    private bool InBadDirection(Anomaly anomaly) => _kind switch
    {
        SeriesKind.HigherIsWorse => anomaly.Value > anomaly.Expected,
        SeriesKind.LowerIsWorse => anomaly.Value < anomaly.Expected,
        _ => true,
    };
}
