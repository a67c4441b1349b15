using TaskLens.Detection;
using static TaskLens.UnitTests.Detection.SyntheticSeries;

namespace TaskLens.UnitTests.Detection;

public sealed class CombinedDetectorRecordTests
{
    private static readonly CombinedDetector.Settings WithRecord = new() { RecordPoints = 4000, RecordMargin = 0.1 };

    /// <summary>
    /// Level 10, noise σ 1, and a burst of 5–15 every 97 points (so large departures are this series' habit and its
    /// calibrated spike tail is heavy); at <paramref name="at"/> one value of <paramref name="record"/> above the level.
    /// </summary>
    private static double[] Bursty(int at, double record, int points = 4000, int seed = 3)
    {
        var random = new Random(seed);
        var values = Create(points, level: 10, noise: 1, seed: seed);
        for (var i = 50; i < points; i += 97)
        {
            values[i] += 5 + (10 * random.NextDouble());
        }

        values[at] = 10 + record;
        return values;
    }

    [Fact]
    public void Settings_Default_HaveTheRecordScoreOn()
    {
        Assert.Equal((4000, 0.1), (new CombinedDetector.Settings().RecordPoints, new CombinedDetector.Settings().RecordMargin));
    }

    [Fact]
    public void Observe_NewMaximumBeyondAHeavyTailedHistory_IsRaisedAsARecord_OnlyWithTheRecordScore()
    {
        var values = Bursty(3000, record: 24);

        var raised = Run(new CombinedDetector(SeriesKind.Any, WithRecord), values);
        var without = Run(new CombinedDetector(SeriesKind.Any, WithRecord with { RecordPoints = 0 }), values);

        var (position, anomaly) = Assert.Single(raised, r => r.Anomaly.Kind == AnomalyKind.Record);
        Assert.Equal(3000, position);
        Assert.Equal(CombinedDetector.RecordName, anomaly.Detector);
        Assert.True(anomaly.Value > anomaly.Upper, $"{anomaly.Value} above the history's maximum {anomaly.Upper}");
        Assert.True(anomaly.Score >= WithRecord.RecordMargin, $"margin {anomaly.Score}");
        Assert.DoesNotContain(without, r => r.Position == 3000);
    }

    [Fact]
    public void Observe_ValueWithinTheHistorysRange_IsNoRecord()
    {
        Assert.DoesNotContain(Run(new CombinedDetector(SeriesKind.Any, WithRecord), Bursty(3000, record: 12)), r => r.Anomaly.Kind == AnomalyKind.Record);
    }

    [Fact]
    public void Observe_RecordLow_IsRaisedOnlyWhereLowerIsWorse()
    {
        var values = Bursty(3000, record: 0);
        values[3000] = -20;

        Assert.Contains(Run(new CombinedDetector(SeriesKind.LowerIsWorse, WithRecord), values), r => r.Position == 3000 && r.Anomaly.Kind == AnomalyKind.Record);
        Assert.DoesNotContain(Run(new CombinedDetector(SeriesKind.HigherIsWorse, WithRecord), values), r => r.Anomaly.Kind == AnomalyKind.Record);
    }

    [Fact]
    public void Observe_RecordInTheFirstDayOfJudging_IsNoRecord()
    {
        // The baseline judges from point 300; a day is 288 points at five-minute steps.
        Assert.DoesNotContain(Run(new CombinedDetector(SeriesKind.Any, WithRecord), Bursty(450, record: 24)), r => r.Anomaly.Kind == AnomalyKind.Record);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Observe_FlatNoisySeries_RaisesNoRecord(int seed)
    {
        Assert.DoesNotContain(Run(new CombinedDetector(SeriesKind.Any, WithRecord), Create(10000, level: 100, noise: 2, seed: seed)), r => r.Anomaly.Kind == AnomalyKind.Record);
    }

    [Fact]
    public void Observe_DailySeasonalSeries_RaisesNothing()
    {
        Assert.Empty(Run(new CombinedDetector(SeriesKind.Any, WithRecord), Create(6000, level: 100, noise: 2, dailyAmplitude: 30, seed: 5)));
    }
}
