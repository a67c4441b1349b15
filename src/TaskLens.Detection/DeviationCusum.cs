namespace TaskLens.Detection;

/// <summary>
/// A two-sided CUSUM (Page, 1954) over a baseline's deviations in spreads — the residuals of the robust seasonal
/// baseline, so a daily swing is not a level — each step capped at <paramref name="maxStep"/> (one spike alone cannot
/// make a level) less an allowance of <paramref name="drift"/>. A spike moves the sum once and it drains away; a level
/// shift keeps adding to it. The sum is capped at <paramref name="cap"/> so a long shift drains in bounded time once
/// the baseline has learnt it.
/// </summary>
internal sealed class DeviationCusum(double drift = 1, double maxStep = 4, double cap = 100)
{
    private double _up;
    private double _down;

    /// <summary>Takes the next deviation; returns the larger sum, signed (positive: upward).</summary>
    public double Add(double deviation)
    {
        var step = Math.Clamp(deviation, -maxStep, maxStep);
        _up = Math.Min(cap, Math.Max(0, _up + step - drift));
        _down = Math.Min(cap, Math.Max(0, _down - step - drift));
        return _up >= _down ? _up : -_down;
    }
}
