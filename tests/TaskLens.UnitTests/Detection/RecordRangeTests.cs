using TaskLens.Detection;

namespace TaskLens.UnitTests.Detection;

public sealed class RecordRangeTests
{
    [Fact]
    public void MinMax_AfterValues_SpanThemAll()
    {
        var range = new RecordRange(1000);
        foreach (var v in new[] { 3.0, -2, 7, 1 })
        {
            range.Add(v);
        }

        Assert.Equal((-2.0, 7.0), (range.Min, range.Max));
    }

    [Fact]
    public void MinMax_ValuesOlderThanTheRange_AreForgotten()
    {
        var range = new RecordRange(1000);
        range.Add(100);
        range.Add(-100);
        for (var i = 0; i < 1000; i++)
        {
            range.Add(i % 10);
        }

        Assert.Equal((0.0, 9.0), (range.Min, range.Max));
    }

    [Fact]
    public void MinMax_ValuesWithinTheLastPointsLessOneBlock_AreKept()
    {
        var range = new RecordRange(1000);
        range.Add(100);
        for (var i = 0; i < 1000 - RecordRange.BlockPoints - 1; i++)
        {
            range.Add(1);
        }

        Assert.Equal(100, range.Max);
    }

    [Fact]
    public void Add_NotFinite_IsIgnored()
    {
        var range = new RecordRange(1000);
        range.Add(double.NaN);
        range.Add(double.PositiveInfinity);
        range.Add(2);

        Assert.Equal((2.0, 2.0), (range.Min, range.Max));
    }

    [Fact]
    public void Constructor_FewerThanTwoBlocks_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecordRange(RecordRange.BlockPoints));
    }
}
