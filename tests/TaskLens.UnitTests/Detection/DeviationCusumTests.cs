using TaskLens.Detection;

namespace TaskLens.UnitTests.Detection;

public sealed class DeviationCusumTests
{
    [Fact]
    public void Add_Spike_MovesTheSumOnceByTheCappedStep_ThenItDrains()
    {
        var cusum = new DeviationCusum(drift: 1, maxStep: 4, cap: 100);

        Assert.Equal(3, cusum.Add(30)); // capped at 4, less the allowance
        Assert.Equal(2, cusum.Add(0));
        Assert.Equal(1, cusum.Add(0));
        Assert.Equal(0, cusum.Add(0));
    }

    [Fact]
    public void Add_LevelShift_KeepsAddingUpToTheCap_SignedByItsDirection()
    {
        var up = new DeviationCusum(drift: 1, maxStep: 4, cap: 100);
        var down = new DeviationCusum(drift: 1, maxStep: 4, cap: 100);
        double lastUp = 0, lastDown = 0;
        for (var i = 0; i < 200; i++)
        {
            lastUp = up.Add(3);
            lastDown = down.Add(-3);
            if (i == 9)
            {
                Assert.Equal((20.0, -20.0), (lastUp, lastDown)); // 2 spreads a point past the allowance
            }
        }

        Assert.Equal((100.0, -100.0), (lastUp, lastDown));
    }
}
