using TaskLens.Storage.ClickHouse;

namespace TaskLens.UnitTests.Storage;

public sealed class ClickHouseServerVersionTests
{
    [Theory]
    [InlineData("18.16.1", 18, 16, 1, 0)]
    [InlineData("24.8.4.13", 24, 8, 4, 13)]
    [InlineData(" 20.3 ", 20, 3, 0, 0)]
    public void TryParse_ReleaseStrings(string text, int major, int minor, int patch, int build)
    {
        Assert.True(ClickHouseServerVersion.TryParse(text, out var version));
        Assert.Equal(new ClickHouseServerVersion(major, minor, patch, build), version);
    }

    [Theory]
    [InlineData("")]
    [InlineData("18")]
    [InlineData("v18.16")]
    [InlineData("1.2.3.4.5")]
    public void TryParse_Garbage_Fails(string text) => Assert.False(ClickHouseServerVersion.TryParse(text, out _));

    [Theory]
    [InlineData(20, 3, true)]
    [InlineData(20, 4, false)]
    [InlineData(19, 99, true)]
    [InlineData(21, 1, false)]
    public void IsAtLeast_ComparesMajorThenMinor(int major, int minor, bool expected) =>
        Assert.Equal(expected, new ClickHouseServerVersion(20, 3, 1, 0).IsAtLeast(major, minor));
}
