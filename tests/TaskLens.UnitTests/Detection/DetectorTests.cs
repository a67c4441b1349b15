using TaskLens.Detection;
using static TaskLens.UnitTests.Detection.SyntheticSeries;

namespace TaskLens.UnitTests.Detection;

public sealed class DetectorTests
{
    public static TheoryData<string> AllDetectorsButTheBaseline => new(Detectors.Names.Where(n => n != "rolling-3sigma"));

    [Theory]
    [MemberData(nameof(AllDetectorsButTheBaseline))]
    public void Observe_FlatNoisySeries_RaisesNothing(string name)
    {
        var values = Create(3000, level: 100, noise: 2);

        Assert.Empty(Run(Detectors.Create(name)!, values));
    }

    [Theory]
    [InlineData("combined")]
    [InlineData("robust-seasonal")]
    [InlineData("cusum")]
    public void Observe_ConstantSeries_RaisesNothing(string name)
    {
        Assert.Empty(Run(Detectors.Create(name)!, Enumerable.Repeat(42.0, 2000).ToArray()));
    }

    [Fact]
    public void Observe_TheSameSeriesFarFromZero_IsJudgedAlike()
    {
        // A reading of unit noise near 0 and the same reading 1,000 higher (a temperature in other units, a latency
        // with a large constant part): the spread, and so every judgement, must not depend on the offset. With the
        // spread's floor at 1% of the expected value the far series had a spread of 10 and its 10σ spike was not seen.
        var near = Create(3000, level: 0, noise: 1);
        near[2000] += 10;
        var far = near.Select(v => v + 1000).ToArray();
        var (nearBaseline, farBaseline) = (new RobustSeasonalDetector(), new RobustSeasonalDetector());
        for (var i = 0; i < near.Length; i++)
        {
            nearBaseline.Observe(At(i), near[i]);
            farBaseline.Observe(At(i), far[i]);
            Assert.Equal(nearBaseline.LastSpread, farBaseline.LastSpread, 1e-6);
        }

        var nearRaised = Run(new CombinedDetector(), near).Select(r => r.Position).ToList();
        Assert.Contains(2000, nearRaised);
        Assert.Equal(nearRaised, Run(new CombinedDetector(), far).Select(r => r.Position).ToList());
    }

    [Fact]
    public void Observe_CleanDailySeasonality_RaisesNothing_AndTheDailyModelTakesOver()
    {
        var values = Create(7 * PointsPerDay, level: 50, noise: 0.5, dailyAmplitude: 20);
        var robust = new RobustSeasonalDetector();

        Assert.Empty(Run(robust, values));
        Assert.Equal("daily", robust.ModelInUse);
        Assert.Empty(Run(new CombinedDetector(), values));
    }

    [Fact]
    public void Observe_Spike_IsRaisedOnce_AtThatPoint_WithTheLevelExpected()
    {
        var values = Create(2000, level: 100, noise: 2);
        values[1500] = 160; // 30σ

        var found = Run(new CombinedDetector(), values);

        var (position, anomaly) = Assert.Single(found);
        Assert.Equal((1500, 160.0, "robust-seasonal", AnomalyKind.Spike), (position, anomaly.Value, anomaly.Detector, anomaly.Kind));
        Assert.InRange(anomaly.Expected, 99, 101);
        Assert.True(anomaly.Upper < 160 && anomaly.Lower > 40, "the band excludes the spike");
        Assert.True(anomaly.Score >= new CombinedDetector.Settings().Evidence, $"evidence {anomaly.Score}");
        Assert.InRange(anomaly.Probability, 0, Math.Pow(10, -new CombinedDetector.Settings().Evidence));
    }

    [Fact]
    public void Observe_SpectralResidual_FindsASpikeInNoise()
    {
        var values = Create(400, level: 100, noise: 1);
        values[300] = 130;

        var found = Run(new SpectralResidualDetector(), values);

        Assert.Contains(found, f => f.Position == 300 && f.Anomaly.Detector == "spectral-residual" && f.Anomaly.Score >= 10);
    }

    [Fact]
    public void Observe_Dip_IsRaisedForLowerIsWorse_NotForHigherIsWorse()
    {
        var values = Create(2000, level: 100, noise: 2);
        values[1500] = 40;

        Assert.Equal(1500, Assert.Single(Run(new CombinedDetector(SeriesKind.LowerIsWorse), values)).Position);
        Assert.Empty(Run(new CombinedDetector(SeriesKind.HigherIsWorse), values));
    }

    [Fact]
    public void Observe_LevelShift_IsRaisedAsALevelShiftSoonAfter_AndOnlyOnce()
    {
        // A shift of 5σ: no single point is far past the spike floor with much evidence; the level mean and CUSUM are.
        var values = Create(3000, level: 100, noise: 2).Select((v, i) => i >= 1500 ? v + 10 : v).ToArray();

        var found = Run(new CombinedDetector(), values);

        var (position, anomaly) = Assert.Single(found);
        Assert.Equal(AnomalyKind.LevelShift, anomaly.Kind);
        Assert.InRange(position, 1500, 1520);
        Assert.InRange(anomaly.Expected, 99, 101);
    }

    [Fact]
    public void Observe_StepBelowTheSpikeFloor_IsALevelShift_ASpikeOfTheSameSeriesIsASpike()
    {
        // 3.5σ up for good from point 1,500: no point is a spike (4 spreads), their sum is a level.
        var shifted = Create(3000, level: 100, noise: 2).Select((v, i) => i >= 1500 ? v + 7 : v).ToArray();
        var spiked = Create(3000, level: 100, noise: 2);
        spiked[1500] = 170;

        var shift = Assert.Single(Run(new CombinedDetector(), shifted));
        var spike = Assert.Single(Run(new CombinedDetector(), spiked));

        Assert.Equal(AnomalyKind.LevelShift, shift.Anomaly.Kind);
        Assert.InRange(shift.Position, 1500, 1560);
        Assert.Equal((1500, AnomalyKind.Spike), (spike.Position, spike.Anomaly.Kind));
        // Past the threshold of the member that saw it: the change points' own, or the level mean's and CUSUM's.
        var levelThreshold = shift.Anomaly.Detector == CombinedDetector.ChangeName ? new CombinedDetector.Settings().ChangeEvidence : new CombinedDetector.Settings().LevelEvidence;
        Assert.True(shift.Anomaly.Score >= levelThreshold, $"level evidence {shift.Anomaly.Score} ({shift.Anomaly.Detector})");
        Assert.True(spike.Anomaly.Score >= new CombinedDetector.Settings().Evidence, $"spike evidence {spike.Anomaly.Score}");
    }

    [Fact]
    public void Observe_MissingDailyPeak_IsRaisedByTheSeasonalModel_ThoughWithinTheUsualRange()
    {
        // The daily model may be chosen once it has made SeasonalAfter errors (288): after 2 days + 288 points.
        var values = Create(8 * PointsPerDay, level: 50, noise: 0.5, dailyAmplitude: 20);
        var peak = (7 * PointsPerDay) + (PointsPerDay / 4); // 6 a.m. of day 8: sin = 1, expected 70
        values[peak] = 30; // a value the series takes every night

        var found = Run(new RobustSeasonalDetector(), values);

        var (position, anomaly) = Assert.Single(found);
        Assert.Equal(peak, position);
        Assert.InRange(anomaly.Expected, 68, 72);
    }

    [Fact]
    public void Observe_MissingDailyPeakOnTheFourthDay_IsRaisedOnceTheDailyModelHasMadeADaysErrors()
    {
        // Two days of history, then a day of the daily model's errors (288 at five-minute steps): it judges from point 864,
        // where a full error window (1,024, as before session 13) would wait until point 1,600.
        var values = Create(5 * PointsPerDay, level: 50, noise: 0.5, dailyAmplitude: 20);
        var peak = (3 * PointsPerDay) + (PointsPerDay / 4); // 6 a.m. of day 4 (point 936): expected 70
        values[peak] = 30;

        var soon = new RobustSeasonalDetector();
        var found = Run(soon, values.AsSpan(0, peak + 1).ToArray());
        var late = Run(new RobustSeasonalDetector(new RobustSeasonalDetector.Settings(SeasonalAfter: 1024)), values);

        Assert.Equal("daily", soon.ModelInUse);
        Assert.Equal(peak, Assert.Single(found).Position);
        Assert.DoesNotContain(late, r => r.Position == peak);
        Assert.Contains(Run(new CombinedDetector(), values), r => r.Position == peak);
    }

    [Fact]
    public void Observe_SecondSpikeWithinTheHoldOff_IsNotRaised_OneAfterIt_Is()
    {
        var values = Create(3000, level: 100, noise: 2);
        values[1000] = values[1100] = 160;
        values[1700] = 200; // a repeat of the same size is less news once the series has shown it (calibration)

        var positions = Run(new CombinedDetector(), values).Select(f => f.Position).ToList();

        Assert.Equal([1000, 1700], positions);
    }

    [Fact]
    public void RecentRangeGuard_PassesOnlyValuesBeyondTheRecentRange()
    {
        // Zeros with a 5 every 20 points: the robust baseline calls every 5 a spike; the guard keeps only the 9.
        var values = Enumerable.Range(0, 1000).Select(i => i == 900 ? 9.0 : i % 20 == 0 ? 5.0 : 0.0).ToArray();

        var unguarded = Run(new RobustSeasonalDetector(), values);
        var guarded = Run(new RecentRangeGuard(new RobustSeasonalDetector(), window: 200), values);

        Assert.True(unguarded.Count > 1, $"the baseline alone raised {unguarded.Count}");
        Assert.Equal([900], guarded.Select(g => g.Position));
    }
}
