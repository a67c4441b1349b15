using TaskLens.Core.Goals;

namespace TaskLens.UnitTests.Goals;

public sealed class SeriesBandTests
{
    [Fact]
    public void Compute_SteadySeriesThenSpike_SpikeLiesOutsideItsOwnBand()
    {
        var values = Enumerable.Range(0, 40).Select(i => 10.0 + (i % 3)).Append(60).ToList();

        var (lower, upper) = SeriesBand.Compute(values);

        Assert.All(lower.Take(SeriesBand.MinHistory), v => Assert.True(double.IsNaN(v)));
        Assert.InRange(values[^1], upper[^1] + 1, double.MaxValue);
        Assert.InRange(values[^2], lower[^2], upper[^2]);
        Assert.True(upper[^1] < 20, $"the band is {lower[^1]}..{upper[^1]}: the spike must not widen its own band");
    }

    [Fact]
    public void Compute_Gaps_HaveNoBandAndAreNotHistory()
    {
        var values = new List<double> { 5, 5, 5, double.NaN, 5, 5, double.NaN, 5, 5 };

        var (lower, upper) = SeriesBand.Compute(values);

        Assert.True(double.IsNaN(lower[3]) && double.IsNaN(upper[6]));
        Assert.Equal((5.0, 5.0), (lower[7], upper[7]));
        Assert.True(double.IsNaN(lower[4]), "only three values came before index 4");
    }

    [Fact]
    public void StepGrid_Of_AlignsToWholeStepsSinceTheEpoch()
    {
        var from = DateTimeOffset.FromUnixTimeSeconds(1_000_030);
        var steps = StepGrid.Of(from, from.AddMinutes(10), TimeSpan.FromMinutes(5));

        Assert.Equal([999_900L, 1_000_200L, 1_000_500L], steps.Select(s => s.ToUnixTimeSeconds()));
        Assert.Equal(TimeSpan.FromMinutes(2), StepGrid.For(from, from.AddHours(24), 720));
    }
}
