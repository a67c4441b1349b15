using TaskLens.Detection;

namespace TaskLens.UnitTests.Detection;

public sealed class MeanWindowTests
{
    [Fact]
    public void Add_MoreValuesThanTheWindow_ReturnsTheMeanOfTheLastOnes()
    {
        var window = new MeanWindow(3);

        Assert.Equal(1, window.Add(1));
        Assert.False(window.IsFull);
        Assert.Equal(1.5, window.Add(2));
        Assert.Equal(2, window.Add(3));
        Assert.True(window.IsFull);
        Assert.Equal(3, window.Add(4));
        Assert.Equal(-1, window.Add(-10), 12);
    }

    [Fact]
    public void Add_ManyLaps_DoesNotPileUpRoundingErrors()
    {
        var window = new MeanWindow(7);
        for (var i = 0; i < 100_002; i++) // whole laps (7 × 14,286), so the last of the next seven ends one
        {
            window.Add(i % 2 == 0 ? 1e9 : 0.1);
        }

        var mean = double.NaN;
        for (var i = 0; i < 7; i++)
        {
            mean = window.Add(0.1);
        }

        Assert.Equal(0.1, mean, 12);
    }

    [Fact]
    public void Constructor_EmptyWindow_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MeanWindow(0));
    }
}
