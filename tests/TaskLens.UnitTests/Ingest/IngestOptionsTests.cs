using TaskLens.Ingest;

namespace TaskLens.UnitTests.Ingest;

public sealed class IngestOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValid() => Assert.Empty(new IngestOptions().Validate());

    [Fact]
    public void Validate_OutOfRangeLimits_ListsEach()
    {
        var errors = new IngestOptions { MaxRequestBytes = int.MaxValue, RetryAfterSeconds = 0 }.Validate();

        Assert.Equal(2, errors.Count);
    }
}
