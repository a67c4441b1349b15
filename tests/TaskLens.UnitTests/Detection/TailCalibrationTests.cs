using TaskLens.Detection;

namespace TaskLens.UnitTests.Detection;

public sealed class TailCalibrationTests
{
    [Fact]
    public void TailProbability_AfterUniformScores_IsTheShareAtLeastAsLarge()
    {
        var calibration = new TailCalibration(memory: 1_000_000);
        for (var i = 1; i <= 1000; i++)
        {
            calibration.Learn(i / 100.0); // 0.01 .. 10
        }

        Assert.InRange(calibration.TailProbability(5), 0.45, 0.55);
        Assert.InRange(calibration.TailProbability(9.9), 0.005, 0.07); // its bin (a ninth of a doubling) counts as at least as large
        Assert.Equal(1.0 / 1001, calibration.TailProbability(100), 6); // beyond everything seen: 1 ÷ (1 + all)
    }

    [Fact]
    public void TailProbability_ForgetsOldScores()
    {
        var calibration = new TailCalibration(memory: 100);
        for (var i = 0; i < 100; i++)
        {
            calibration.Learn(50);
        }

        var soonAfter = calibration.TailProbability(40);
        for (var i = 0; i < 2000; i++)
        {
            calibration.Learn(1);
        }

        Assert.True(soonAfter > 0.9, $"just after many 50s a 40 is common ({soonAfter})");
        Assert.True(calibration.TailProbability(40) < 0.01, "2,000 points later they are forgotten");
    }

    [Fact]
    public void Seed_GivesAYoungSeriesTheReferenceShape()
    {
        var calibration = new TailCalibration(memory: 4000);
        calibration.Seed(x => Math.Exp(-x), weight: 1000);

        Assert.InRange(calibration.TailProbability(1), 0.3, 0.45); // e⁻¹ ≈ 0.37, within a bin
        Assert.InRange(calibration.TailProbability(7), 0.0008, 0.003); // e⁻⁷ ≈ 0.0009, plus the bin and the 1 ÷ (1 + all)
    }

    [Fact]
    public void TailProbability_FarBeyondEverythingSeen_IsExtrapolatedFarBelowOneOverMemory()
    {
        var calibration = LearntExponential(4000);

        Assert.InRange(calibration.TailProbability(8), Math.Exp(-8) / 4, Math.Exp(-8) * 4); // the fitted tail, not 1 ÷ 4,001
        var far = calibration.TailProbability(30);
        Assert.InRange(far, TailCalibration.MinProbability, 1e-9);
    }

    [Fact]
    public void TailProbability_IsMonotone_NeverRisingWithTheScore()
    {
        var calibration = LearntExponential(4000);
        calibration.Learn(25); // one stray large score: the count and the fitted tail meet around it

        var previous = 1.0;
        for (var score = 0.0; score <= 60; score += 0.05)
        {
            var p = calibration.TailProbability(score);
            Assert.True(p <= previous, $"p({score:0.00}) = {p} after {previous}");
            Assert.InRange(p, TailCalibration.MinProbability, 1);
            previous = p;
        }
    }

    [Fact]
    public void TailProbability_ScoreSeenLately_IsNotBelowItsCount()
    {
        var calibration = LearntExponential(4000);
        var firstTime = calibration.TailProbability(40);
        calibration.Learn(40);
        for (var i = 0; i < 100; i++)
        {
            calibration.Learn(0.5);
        }

        Assert.True(firstTime < 1e-12, $"first time {firstTime}");
        Assert.True(calibration.TailProbability(40) >= 1.0 / 4200, $"second time {calibration.TailProbability(40)}: a recurrence is counted, not extrapolated");
    }

    /// <summary>The quantiles of a unit exponential, shuffled: a series whose scores have a known tail e^−x.</summary>
    private static TailCalibration LearntExponential(int count)
    {
        var calibration = new TailCalibration(memory: 1_000_000);
        var random = new Random(3);
        foreach (var i in Enumerable.Range(0, count).OrderBy(_ => random.Next()))
        {
            calibration.Learn(-Math.Log(1 - ((i + 0.5) / count)));
        }

        return calibration;
    }
}
