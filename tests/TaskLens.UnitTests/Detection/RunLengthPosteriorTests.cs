using TaskLens.Detection;
using static TaskLens.UnitTests.Detection.SyntheticSeries;

namespace TaskLens.UnitTests.Detection;

public sealed class RunLengthPosteriorTests
{
    [Fact]
    public void Add_UnitNoise_IsRarelyACandidate()
    {
        // A score of 1 (a change within the last points at 90% posterior) is where the combination starts calibrating it.
        var candidates = 0;
        var most = 0.0;
        foreach (var seed in new[] { 1, 2, 3, 4, 5 })
        {
            var posterior = new RunLengthPosterior();
            foreach (var x in Create(10_000, level: 0, noise: 1, seed: seed))
            {
                var score = posterior.Add(x);
                candidates += score >= 1 ? 1 : 0;
                most = Math.Max(most, score);
            }
        }

        Assert.True(candidates <= 10, $"{candidates} of 50,000 noise points scored 1 or more");
        Assert.True(most < 2, $"noise scored {most}");
    }

    [Fact]
    public void Add_OneSpike_IsNoChange()
    {
        var posterior = new RunLengthPosterior();
        var values = Create(600, level: 0, noise: 1);
        values[500] = 6;

        var scores = values.Select(posterior.Add).ToArray();

        Assert.True(scores.Skip(500).Max() < 1, $"a spike scored {scores.Skip(500).Max()}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-2)]
    public void Add_StepOfTwoSpreads_IsAChangeWithinTenPoints_SignedByItsDirection(double step)
    {
        var posterior = new RunLengthPosterior();
        var values = Create(600, level: 0, noise: 1).Select((v, i) => i >= 500 ? v + step : v).ToArray();
        var (best, mean) = (0.0, 0.0);

        for (var i = 0; i < values.Length; i++)
        {
            var score = posterior.Add(values[i]);
            if (i is >= 500 and < 510 && score > best)
            {
                (best, mean) = (score, posterior.RecentMean);
            }
        }

        Assert.True(best >= 1, $"the step scored {best}");
        Assert.Equal(Math.Sign(step), Math.Sign(mean));
        Assert.True(Math.Abs(mean) >= 1, $"the new run's mean {mean}");
    }
}
