using TaskLens.Ingest.Spool;

namespace TaskLens.UnitTests.Ingest.Spool;

public sealed class SpoolOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreAccepted() => Assert.Empty(new SpoolOptions().Validate());

    [Theory]
    [InlineData(0, 8L * 1024 * 1024, "DrainConcurrency 0")]
    [InlineData(17, 8L * 1024 * 1024, "DrainConcurrency 17")]
    [InlineData(2, 1_000, "DrainMaxBytes 1000")]
    public void Validate_DrainSettingsOutOfRange_AreNamed(int concurrency, long maxBytes, string expected)
    {
        var errors = new SpoolOptions { DrainConcurrency = concurrency, DrainMaxBytes = maxBytes }.Validate();

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SeveralProblems_AreListedTogether()
    {
        var errors = new SpoolOptions { DrainConcurrency = 0, DrainMaxBytes = 1_000, DrainMaxItems = 0 }.Validate();

        Assert.Equal(3, errors.Count);
    }
}
