namespace TaskLens.Detection.Continuous;

/// <summary>
/// One underlying change, one finding: the monitor's de-duplication of a series' anomalies. The combined detector
/// re-arms once a resolved series has been calm for <see cref="CombinedDetector.Settings.RearmAfter"/> points, yet a change
/// can go on under that calm — a spike at the start of a slow climb is resolved after 15 calm steps, re-armed after 144,
/// and the climb is then raised again as a drift, a second finding (and page) under another detector's fingerprint
/// (<c>SeriesMonitorTests</c>). So an anomaly within <see cref="Steps"/> points of the series' last raised one, on the
/// same side and no further out than the furthest value since then, is folded into it; one in the other direction, beyond
/// that extreme (a deeper second collapse) or later is a new episode. One per series; fed every point, in order.
/// </summary>
public sealed class EpisodeFold(int steps)
{
    private long _position = -1;
    private long _raisedAt = long.MinValue;
    private int _sign;
    private double _extreme;

    /// <summary>Points after a raised anomaly within which a like one belongs to it: the detector's longest hold-off.</summary>
    public int Steps => steps;

    /// <summary>When the episode the last anomaly was folded into was raised.</summary>
    public DateTimeOffset EpisodeRaisedAt { get; private set; }

    /// <summary>Feeds a point and what the detector made of it; true if it is a new episode to raise, false if nothing or folded.</summary>
    public bool Observe(DateTimeOffset time, double value, Anomaly? anomaly)
    {
        _position++;
        var inEpisode = _sign != 0 && _position - _raisedAt <= steps;
        if (anomaly is not null)
        {
            var sign = Math.Sign(anomaly.Value - anomaly.Expected);
            if (!inEpisode || sign != _sign || sign * value > sign * _extreme)
            {
                (_raisedAt, _sign, _extreme, EpisodeRaisedAt) = (_position, sign, value, time);
                return true;
            }
        }

        if (inEpisode)
        {
            _extreme = _sign > 0 ? Math.Max(_extreme, value) : Math.Min(_extreme, value);
        }

        return false;
    }
}
