using TaskLens.Detection.Scoring;

namespace TaskLens.UnitTests.Detection;

public sealed class EventScoringTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly List<DateTimeOffset> Points = Enumerable.Range(0, 100).Select(i => T0.AddMinutes(5 * i)).ToList();

    [Fact]
    public void Score_AlertsUpToThreeStepsApart_AreOneEvent_PlacedAtItsFirstPoint()
    {
        // Points 10, 12, 15 are one event (gaps 2 and 3), starting at 10 — outside the window that begins at 11.
        // 20 is a second event inside the window; 24 (4 steps later) a third, inside too: the window counts once.
        var windows = new[] { new LabelledWindow(Points[11], Points[30]) };

        var score = EventScoring.Score(Points, [10, 12, 15, 20, 24], windows);

        Assert.Equal(new EventScore(DetectedWindows: 1, FalsePositives: 1, Windows: 1, Events: 3), score);
        Assert.Equal((0.5, 1.0), (score.Precision, score.Recall));
        Assert.Equal(2 * 0.5 / 1.5, score.F1, 12);
    }

    [Fact]
    public void Score_WindowEndsAreInclusive_AndUndetectedWindowsLowerRecall()
    {
        var windows = new[] { new LabelledWindow(Points[5], Points[8]), new LabelledWindow(Points[50], Points[60]), new LabelledWindow(Points[80], Points[90]) };

        var score = EventScoring.Score(Points, [8, 50], windows);

        Assert.Equal(new EventScore(2, 0, 3, 2), score);
        Assert.Equal((1.0, 2 / 3.0), (score.Precision, score.Recall));
    }

    [Fact]
    public void Score_NoWindows_EveryEventIsFalse_AndScoresSum()
    {
        var clean = EventScoring.Score(Points, [1, 40, 41, 99], []);
        var labelled = EventScoring.Score(Points, [], [new LabelledWindow(Points[3], Points[4])]);

        Assert.Equal(new EventScore(0, 3, 0, 3), clean);
        Assert.Equal(new EventScore(0, 3, 1, 3), clean + labelled);
        Assert.Equal(0, (clean + labelled).F1);
    }

    [Fact]
    public void Score_WithProbation_DropsAlertsBeforeIt_AndAnEventRunningOnStartsAfterIt()
    {
        // 2 and 4 lie in a probation of 5 points: dropped. 5 and 7 are then one event starting at 5, inside the window;
        // 40 is false. Without the probation, 2–7 are one event starting at 2, outside the window: false, and the window missed.
        var windows = new[] { new LabelledWindow(Points[5], Points[10]) };

        var withProbation = EventScoring.Score(Points, [2, 4, 5, 7, 40], windows, probation: 5);
        var without = EventScoring.Score(Points, [2, 4, 5, 7, 40], windows);

        Assert.Equal(new EventScore(DetectedWindows: 1, FalsePositives: 1, Windows: 1, Events: 2), withProbation);
        Assert.Equal(new EventScore(DetectedWindows: 0, FalsePositives: 2, Windows: 1, Events: 2), without);
    }

    [Theory]
    [InlineData(100, 15)]
    [InlineData(4032, 604)]
    [InlineData(22695, 750)]
    public void NabProbation_IsFifteenPercent_AtMost750Points(int points, int expected) =>
        Assert.Equal(expected, EventScoring.NabProbation(points));
}
