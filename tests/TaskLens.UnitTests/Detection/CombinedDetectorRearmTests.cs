using TaskLens.Detection;
using static TaskLens.UnitTests.Detection.SyntheticSeries;

namespace TaskLens.UnitTests.Detection;

/// <summary>
/// After an episode's alert is resolved (the monitor's recovery after calm steps), the series is re-armed only once it
/// has been calm for <see cref="CombinedDetector.Settings.RearmAfter"/> points; until then only a worse episode pages.
/// </summary>
public sealed class CombinedDetectorRearmTests
{
    private const int RecoverAfter = 15;

    /// <summary>Level 10, noise σ 1; a 30σ spike at point 1,000 and a step of <paramref name="step"/> from <paramref name="stepAt"/> for 200 points.</summary>
    private static double[] SpikeThenStep(int stepAt, double step)
    {
        var values = Create(3000, level: 10, noise: 1);
        values[1000] += 30;
        for (var i = stepAt; i < stepAt + 200; i++)
        {
            values[i] += step;
        }

        return values;
    }

    /// <summary>Drives the detector as the monitor does: an alert opens on a raised point and is resolved after calm steps.</summary>
    private static List<(int Position, Anomaly Anomaly)> Monitor(CombinedDetector detector, double[] values)
    {
        var raised = new List<(int, Anomaly)>();
        var open = false;
        for (var i = 0; i < values.Length; i++)
        {
            if (detector.Observe(At(i), values[i]) is { } anomaly)
            {
                raised.Add((i, anomaly));
                open = true;
            }
            else if (open && detector.TryRecover(RecoverAfter))
            {
                open = false;
            }
        }

        return raised;
    }

    [Fact]
    public void Observe_StepSoonAfterAResolvedSpike_IsARepeat_RaisedOnlyWithoutRearming()
    {
        var values = SpikeThenStep(stepAt: 1100, step: 6);

        var rearming = Monitor(new CombinedDetector(), values);
        var atOnce = Monitor(new CombinedDetector(SeriesKind.Any, new CombinedDetector.Settings { RearmAfter = 0 }), values);

        Assert.Equal(1000, Assert.Single(rearming).Position);
        Assert.Contains(atOnce, r => r.Position is >= 1100 and < 1300);
    }

    [Fact]
    public void Observe_StepBeyondTheEpisodesExtreme_IsRaisedBeforeRearming()
    {
        var raised = Monitor(new CombinedDetector(), SpikeThenStep(stepAt: 1100, step: 45));

        Assert.Equal(1000, raised[0].Position);
        Assert.Contains(raised, r => r.Position is >= 1100 and < 1300 && r.Anomaly.Value > 40);
    }

    [Fact]
    public void Observe_StepAfterTheSeriesWasCalmForTheRearmPoints_IsRaised()
    {
        var settings = new CombinedDetector.Settings();
        var raised = Monitor(new CombinedDetector(), SpikeThenStep(stepAt: 1000 + RecoverAfter + settings.RearmAfter + 100, step: 6));

        Assert.Equal(1000, raised[0].Position);
        Assert.Contains(raised, r => r.Position >= 1000 + RecoverAfter + settings.RearmAfter + 100);
    }

    [Fact]
    public void TryRecover_BeforeRearming_ResolvesTheAlert_AndTheHoldOffGoesOn()
    {
        var detector = new CombinedDetector();
        var values = SpikeThenStep(stepAt: 2800, step: 0);
        var resolvedAt = -1;
        for (var i = 0; i < 1200 && resolvedAt < 0; i++)
        {
            detector.Observe(At(i), values[i]);
            if (i > 1000 && detector.TryRecover(RecoverAfter))
            {
                resolvedAt = i;
            }
        }

        Assert.InRange(resolvedAt, 1000 + RecoverAfter, 1000 + RecoverAfter + 50);

        // Resolved but not re-armed: the next point is still in the episode's hold-off (it would not be with RearmAfter 0).
        detector.Observe(At(resolvedAt + 1), values[resolvedAt + 1]);
        Assert.True(detector.InHoldOff);
    }
}
