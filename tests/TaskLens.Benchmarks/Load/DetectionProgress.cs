namespace TaskLens.Benchmarks.Load;

/// <summary>
/// How far continuous detection has got, from the server's <c>/metrics</c>: the end of the last step it judged (its
/// <c>tasklens.detection.lag</c> gauge subtracted from the scrape's time) and the run-outlier models it has trained.
/// </summary>
internal static class DetectionProgress
{
    public const string Lag = "tasklens_detection_lag_seconds";
    private const string RunOutlierTrainings = "tasklens_detection_run_outlier_trainings_total";

    /// <summary>The end of the last step judged; <see cref="DateTimeOffset.MinValue"/> before detection reports one.</summary>
    public static async Task<DateTimeOffset> JudgedUntilAsync(HttpClient http, int apiPort)
    {
        var scrapedAt = DateTimeOffset.UtcNow;
        var lag = (await PrometheusText.ScrapeAsync(http, apiPort)).FirstOrDefault(s => s.Name == Lag);
        return lag is null ? DateTimeOffset.MinValue : JudgedUntil(scrapedAt, lag.Value);
    }

    /// <summary>
    /// The step end <paramref name="lagSeconds"/> before <paramref name="scrapedAt"/>, to the nearest whole minute: steps
    /// are whole minutes, so the time a slow scrape takes does not move it.
    /// </summary>
    public static DateTimeOffset JudgedUntil(DateTimeOffset scrapedAt, double lagSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds((long)Math.Round((scrapedAt.ToUnixTimeMilliseconds() / 1000.0 - lagSeconds) / 60) * 60);

    /// <summary>Run-outlier trainings since the server started (a goal found with too few runs counts too).</summary>
    public static async Task<long> RunOutlierTrainingsAsync(HttpClient http, int apiPort) =>
        (long)(await PrometheusText.ScrapeAsync(http, apiPort)).Where(s => s.Name == RunOutlierTrainings).Sum(s => s.Value);
}
