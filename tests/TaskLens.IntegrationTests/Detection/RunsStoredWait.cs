using TaskLens.Detection.Continuous;

namespace TaskLens.IntegrationTests.Detection;

/// <summary>
/// Tests that drive the detection runner with their own clock wait first for the real goal rollup's watermark to pass
/// the last step they judge, as the running detector does (docs/detection.md, "When"): the rollup's clock is the real one.
/// </summary>
internal static class RunsStoredWait
{
    /// <summary>Until the watermark is at or past <paramref name="through"/> (a step's end plus the 15 s its spans are given to arrive); at most a minute.</summary>
    public static async Task UntilAsync(DetectionRunner runner, DateTimeOffset through)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(runner.RunsStoredThrough >= through))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the goal rollup's watermark is at {runner.RunsStoredThrough:O}, not past {through:O}");
            await Task.Delay(200);
        }
    }
}
