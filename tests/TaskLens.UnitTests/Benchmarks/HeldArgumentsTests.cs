using TaskLens.Benchmarks.Goals;

namespace TaskLens.UnitTests.Benchmarks;

public sealed class HeldArgumentsTests
{
    [Theory]
    [InlineData("held 45000 60", 45000, 60, 0, 0)]
    [InlineData("held 45000 60 30", 45000, 60, 30, 0)]
    [InlineData("held 20000 120 0 20", 20000, 120, 0, 20)]
    public void TryParse_TheDocumentedForms_AreRead(string commandLine, int rate, int seconds, int pause, int burst)
    {
        Assert.True(HeldArguments.TryParse(commandLine.Split(' '), out var r, out var s, out var p, out var b));
        Assert.Equal((rate, seconds, pause, burst), (r, s, p, b));
    }

    [Theory]
    [InlineData("held 45000 60 30 extra")]
    [InlineData("held 45000 60 30 20 extra")]
    [InlineData("held 45000")]
    [InlineData("held 45k 60")]
    [InlineData("held 45000 60 --pause")]
    [InlineData("held 0 60")]
    public void TryParse_ExtraMissingOrMistyped_IsRefused(string commandLine)
    {
        Assert.False(HeldArguments.TryParse(commandLine.Split(' '), out _, out _, out _, out _));
    }
}
